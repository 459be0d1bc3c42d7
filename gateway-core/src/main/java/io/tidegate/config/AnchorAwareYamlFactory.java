package io.tidegate.config;

import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.Reader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Jackson's YAML factory, whose parsers also tell what Jackson's own parser (2.23) leaves out: the
 * anchor on a scalar ({@code getObjectId()} reports anchors on mappings and sequences only, and
 * keeps a mapping's anchor while on its first key), and whether a key was written plain, which a
 * merge key {@code <<} must be. Only {@link #createParser(Reader)} makes such parsers; the other
 * inputs (bytes, streams) are not used by {@link YamlTreeReader}.
 */
final class AnchorAwareYamlFactory extends YAMLFactory {
    /** SnakeYAML's options, with the longest document raised from its 3 Mi characters. */
    private final LoaderOptions options;

    AnchorAwareYamlFactory(int maxDocumentChars) {
        this.options = loaderOptions(maxDocumentChars);
    }

    private static LoaderOptions loaderOptions(int maxDocumentChars) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(maxDocumentChars);
        return options;
    }

    @Override
    protected YAMLParser _createParser(Reader reader, IOContext context) throws IOException {
        return new Parser(context, _parserFeatures, _yamlParserFeatures, options, _objectCodec, reader);
    }

    /** A YAML parser that reports anchors from the SnakeYAML event behind its current token. */
    static final class Parser extends YAMLParser {
        Parser(IOContext context, int parserFeatures, int yamlFeatures, LoaderOptions options, ObjectCodec codec,
                Reader reader) {
            super(context, parserFeatures, yamlFeatures, options, codec, reader);
        }

        /**
         * The anchor ({@code &name}) on the scalar, mapping or sequence the current token starts, or on
         * the current key; null when it has none or the token is an alias.
         */
        String anchor() {
            // _lastEvent is the event the current token was made from
            return _lastEvent instanceof NodeEvent node && !(node instanceof AliasEvent) ? node.getAnchor() : null;
        }

        /** Whether the current key is a plain scalar: no quotes, no tag. */
        boolean isPlainKey() {
            return _lastEvent instanceof ScalarEvent scalar && scalar.isPlain() && scalar.getTag() == null;
        }
    }
}
