package io.tidegate.plugins.restrictions;

import io.tidegate.plugin.api.PluginConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Regular expressions from a configuration list, each error naming its item. */
final class Patterns {
    private Patterns() {
    }

    static List<Pattern> compile(String field, List<String> texts, int flags) throws PluginConfigException {
        List<Pattern> patterns = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            try {
                patterns.add(Pattern.compile(texts.get(i), flags));
            } catch (PatternSyntaxException e) {
                throw new PluginConfigException(field + "[" + i + "]", "is not a regular expression: " + e.getDescription());
            }
        }
        return List.copyOf(patterns);
    }

    static boolean anyFound(List<Pattern> patterns, String text) {
        for (Pattern pattern : patterns) {
            if (pattern.matcher(text).find()) {
                return true;
            }
        }
        return false;
    }
}
