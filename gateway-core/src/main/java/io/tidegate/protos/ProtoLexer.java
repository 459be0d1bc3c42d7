package io.tidegate.protos;

import io.tidegate.protos.ProtoSourceParser.ParseException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Splits .proto text into tokens, dropping blanks and comments and unescaping string literals. */
final class ProtoLexer {

    enum TokenKind { IDENT, INT, FLOAT, STRING, SYMBOL, EOF }

    /** {@code value} holds the unescaped bytes of a string literal; {@code text} is always the source text. */
    record Token(TokenKind kind, String text, int line, int col, byte[] value) {}

    private final String src;
    private int pos;
    private int line = 1;
    private int col = 1;

    ProtoLexer(String src) {
        this.src = src == null ? "" : src;
    }

    List<Token> tokenize() throws ParseException {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            skipBlanksAndComments();
            if (pos >= src.length()) {
                tokens.add(new Token(TokenKind.EOF, "", line, col, null));
                return tokens;
            }
            int startLine = line;
            int startCol = col;
            int start = pos;
            char c = src.charAt(pos);
            if (isLetter(c)) {
                while (pos < src.length() && (isLetter(peek()) || isDigit(peek()))) {
                    advance();
                }
                tokens.add(new Token(TokenKind.IDENT, src.substring(start, pos), startLine, startCol, null));
            } else if (isDigit(c) || (c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1)))) {
                TokenKind kind = number();
                tokens.add(new Token(kind, src.substring(start, pos), startLine, startCol, null));
            } else if (c == '"' || c == '\'') {
                byte[] value = string(startLine, startCol);
                tokens.add(new Token(TokenKind.STRING, src.substring(start, pos), startLine, startCol, value));
            } else {
                advance();
                tokens.add(new Token(TokenKind.SYMBOL, String.valueOf(c), startLine, startCol, null));
            }
        }
    }

    private char peek() {
        return src.charAt(pos);
    }

    private boolean peekIs(char c) {
        return pos < src.length() && src.charAt(pos) == c;
    }

    private void advance() {
        if (src.charAt(pos) == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        pos++;
    }

    private void skipBlanksAndComments() throws ParseException {
        while (pos < src.length()) {
            char c = peek();
            if (Character.isWhitespace(c)) {
                advance();
            } else if (c == '/' && pos + 1 < src.length() && src.charAt(pos + 1) == '/') {
                while (pos < src.length() && peek() != '\n') {
                    advance();
                }
            } else if (c == '/' && pos + 1 < src.length() && src.charAt(pos + 1) == '*') {
                int startLine = line;
                int startCol = col;
                advance();
                advance();
                while (!(peekIs('*') && pos + 1 < src.length() && src.charAt(pos + 1) == '/')) {
                    if (pos >= src.length()) {
                        throw new ParseException(startLine, startCol, "unterminated block comment");
                    }
                    advance();
                }
                advance();
                advance();
            } else {
                return;
            }
        }
    }

    private TokenKind number() throws ParseException {
        int startLine = line;
        int startCol = col;
        TokenKind kind = TokenKind.INT;
        if (peek() == '0' && pos + 1 < src.length() && (src.charAt(pos + 1) | 0x20) == 'x') {
            advance();
            advance();
            if (pos >= src.length() || Character.digit(peek(), 16) < 0) {
                throw new ParseException(startLine, startCol, "\"0x\" must be followed by hex digits");
            }
            while (pos < src.length() && Character.digit(peek(), 16) >= 0) {
                advance();
            }
        } else {
            while (pos < src.length() && isDigit(peek())) {
                advance();
            }
            if (peekIs('.')) {
                kind = TokenKind.FLOAT;
                advance();
                while (pos < src.length() && isDigit(peek())) {
                    advance();
                }
            }
            if (peekIs('e') || peekIs('E')) {
                kind = TokenKind.FLOAT;
                advance();
                if (peekIs('+') || peekIs('-')) {
                    advance();
                }
                if (pos >= src.length() || !isDigit(peek())) {
                    throw new ParseException(line, col, "\"e\" must be followed by an exponent");
                }
                while (pos < src.length() && isDigit(peek())) {
                    advance();
                }
            }
        }
        // "1foo" is almost always a typo; reject it rather than silently splitting it in two tokens.
        if (pos < src.length() && (isLetter(peek()) || peek() == '.')) {
            throw new ParseException(line, col, "need space between number and identifier");
        }
        return kind;
    }

    private byte[] string(int startLine, int startCol) throws ParseException {
        char quote = peek();
        advance();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos >= src.length() || peek() == '\n') {
                throw new ParseException(startLine, startCol, "unterminated string literal");
            }
            char c = peek();
            if (c == quote) {
                advance();
                return out.toByteArray();
            }
            if (c != '\\') {
                int cp = src.codePointAt(pos);
                writeUtf8(out, cp);
                for (int i = Character.charCount(cp); i > 0; i--) {
                    advance();
                }
                continue;
            }
            int escLine = line;
            int escCol = col;
            advance();
            if (pos >= src.length()) {
                throw new ParseException(startLine, startCol, "unterminated string literal");
            }
            char e = peek();
            advance();
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\', '?', '\'', '"' -> out.write(e);
                case 'x', 'X' -> out.write(digits(16, 1, 2, escLine, escCol));
                case 'u' -> writeUtf8(out, digits(16, 4, 4, escLine, escCol));
                case 'U' -> writeUtf8(out, digits(16, 8, 8, escLine, escCol));
                default -> {
                    if (e < '0' || e > '7') {
                        throw new ParseException(escLine, escCol, "invalid escape sequence \"\\" + e + "\"");
                    }
                    int v = e - '0';
                    for (int i = 0; i < 2 && pos < src.length() && peek() >= '0' && peek() <= '7'; i++) {
                        v = v * 8 + (peek() - '0');
                        advance();
                    }
                    out.write(v & 0xff);
                }
            }
        }
    }

    private int digits(int radix, int min, int max, int escLine, int escCol) throws ParseException {
        long v = 0;
        int n = 0;
        while (n < max && pos < src.length() && Character.digit(peek(), radix) >= 0) {
            v = v * radix + Character.digit(peek(), radix);
            advance();
            n++;
        }
        if (n < min || v > Character.MAX_CODE_POINT) {
            throw new ParseException(escLine, escCol, "invalid escape sequence");
        }
        return (int) v;
    }

    private static void writeUtf8(ByteArrayOutputStream out, int codePoint) {
        out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
