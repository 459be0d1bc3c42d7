package io.tidegate.protos;

import io.tidegate.protos.ProtoLexer.Token;
import io.tidegate.protos.ProtoSourceParser.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The names a file defines and the type names it uses, resolved to fully qualified names with protoc's
 * scoping rules once the whole file is read.
 */
final class TypeResolver {

    /** What a fully qualified name stands for; only these can take part in type-name lookup. */
    enum Kind { PACKAGE, MESSAGE, ENUM, SERVICE }

    /** A type name to resolve once the whole file is read, because types may be used before they are declared. */
    private record TypeRef(String name, String scope, Token at, boolean messageOnly, BiConsumer<String, Kind> target) {}

    /** A full name without the leading dot; kind is null for a name only an import can define. */
    private record Resolved(String fullName, Kind kind) {}

    private final Map<String, Kind> symbols = new HashMap<>();
    private final List<TypeRef> refs = new ArrayList<>();

    static String qualify(String scope, String name) {
        return scope.isEmpty() ? name : scope + "." + name;
    }

    void definePackage(String name) {
        // Each prefix of the package is a scope that type lookup can stop at, as in protoc.
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            symbols.put(name.substring(0, dot), Kind.PACKAGE);
        }
        symbols.put(name, Kind.PACKAGE);
    }

    void define(String fullName, Kind kind, Token at) throws ParseException {
        Kind previous = symbols.putIfAbsent(fullName, kind);
        if (previous != null) {
            throw error(at, "\"" + fullName + "\" is already defined");
        }
    }

    /**
     * Records that {@code name} is used in {@code scope}; {@link #resolveAll} later passes {@code target} the
     * full name with a leading dot and its kind, or a null kind when only an import can define it.
     */
    void refer(String name, String scope, Token at, boolean messageOnly, BiConsumer<String, Kind> target) {
        refs.add(new TypeRef(name, scope, at, messageOnly, target));
    }

    /** Resolves the recorded uses in the order they were made; the first that fails is the error reported. */
    void resolveAll() throws ParseException {
        for (TypeRef ref : refs) {
            resolve(ref);
        }
    }

    private void resolve(TypeRef ref) throws ParseException {
        String name = ref.name;
        String fullName;
        Kind kind;
        if (name.startsWith(".")) {
            fullName = name.substring(1);
            kind = symbols.get(fullName);
            if (kind == Kind.PACKAGE || kind == Kind.SERVICE) {
                throw error(ref.at, "\"" + name + "\" is not a type");
            }
        } else {
            Resolved found = lookup(name, ref.scope, ref.at);
            fullName = found.fullName;
            kind = found.kind;
        }
        if (ref.messageOnly && kind == Kind.ENUM) {
            throw error(ref.at, "\"" + name + "\" is not a message type");
        }
        ref.target.accept("." + fullName, kind);
    }

    /**
     * protoc's lookup: try the first component of the name in the innermost scope, then each enclosing
     * one; once it is found, the rest of the name must be inside what was found. Returns the full name
     * and the kind, or a null kind when the name can only be defined by an import.
     */
    private Resolved lookup(String name, String scope, Token at) throws ParseException {
        int dot = name.indexOf('.');
        String first = dot < 0 ? name : name.substring(0, dot);
        String rest = dot < 0 ? "" : name.substring(dot);
        String current = scope;
        while (true) {
            String candidate = qualify(current, first);
            Kind kind = symbols.get(candidate);
            if (kind != null) {
                if (rest.isEmpty()) {
                    if (kind == Kind.MESSAGE || kind == Kind.ENUM) {
                        return new Resolved(candidate, kind);
                    }
                } else {
                    String full = candidate + rest;
                    Kind inner = symbols.get(full);
                    if (inner == Kind.MESSAGE || inner == Kind.ENUM) {
                        return new Resolved(full, inner);
                    }
                    // Other files may add to a package, but never to a message declared here.
                    if (inner == null && kind == Kind.PACKAGE) {
                        return new Resolved(full, null);
                    }
                    throw error(at, "unknown type " + name);
                }
            }
            if (current.isEmpty()) {
                break;
            }
            int lastDot = current.lastIndexOf('.');
            current = lastDot < 0 ? "" : current.substring(0, lastDot);
        }
        if (dot >= 0) {
            return new Resolved(name, null);
        }
        throw error(at, "unknown type " + name);
    }

    private static ParseException error(Token at, String message) {
        return new ParseException(at.line(), at.col(), message);
    }
}
