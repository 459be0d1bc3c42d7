package io.tidegate.plugins.proxyrewrite;

import io.tidegate.plugin.api.PhaseResult;
import io.tidegate.plugin.api.PluginContext;
import io.tidegate.plugin.api.PluginInstance;
import io.tidegate.plugin.api.Template;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Applies one proxy-rewrite configuration to the upstream request: uri, method, host, then headers add, set, remove. */
final class ProxyRewriteInstance implements PluginInstance {
    record RegexRule(Pattern pattern, Template replacement) {}

    private final Template uri;
    private final List<RegexRule> regexRules;
    private final String method;
    private final String host;
    private final Map<String, Template> add;
    private final Map<String, Template> set;
    private final List<String> remove;

    ProxyRewriteInstance(Template uri, List<RegexRule> regexRules, String method, String host, Map<String, Template> add,
                         Map<String, Template> set, List<String> remove) {
        this.uri = uri;
        this.regexRules = regexRules;
        this.method = method;
        this.host = host;
        this.add = add;
        this.set = set;
        this.remove = remove;
    }

    @Override
    public PhaseResult rewrite(PluginContext context) {
        PluginContext.UpstreamRequest upstream = context.upstreamRequest();
        Function<String, String> values = values(context, null);
        String newUri = null;
        if (uri != null) {
            newUri = uri.render(values);
        } else {
            String path = context.request().path();
            for (RegexRule rule : regexRules) {
                Matcher m = rule.pattern().matcher(path);
                if (m.find()) {
                    values = values(context, m);
                    newUri = path.substring(0, m.start()) + rule.replacement().render(values) + path.substring(m.end());
                    break;
                }
            }
        }
        if (newUri != null) {
            // the result is built from decoded values; encode what a request line cannot carry
            int q = newUri.indexOf('?');
            if (q >= 0) {
                // the client's query follows the rewritten uri's own, as APISIX appends ctx.var.args
                String clientQuery = context.request().query();
                String own = UriEncoding.safe(newUri.substring(q + 1));
                upstream.setPath(UriEncoding.safe(newUri.substring(0, q)));
                upstream.setQuery(clientQuery.isEmpty() ? own : own.isEmpty() ? clientQuery : own + "&" + clientQuery);
            } else {
                upstream.setPath(UriEncoding.safe(newUri));
            }
        }
        if (method != null) {
            upstream.setMethod(method);
        }
        if (host != null) {
            upstream.setHost(host);
        }
        for (Map.Entry<String, Template> header : add.entrySet()) {
            upstream.addHeader(header.getKey(), header.getValue().render(values));
        }
        for (Map.Entry<String, Template> header : set.entrySet()) {
            String value = header.getValue().render(values);
            if (value.isEmpty()) {
                // as APISIX: set to "" (or to variables that are all unset) removes the header
                upstream.removeHeader(header.getKey());
            } else {
                upstream.setHeader(header.getKey(), value);
            }
        }
        for (String header : remove) {
            upstream.removeHeader(header);
        }
        return PhaseResult.proceed();
    }

    /**
     * What a template's references stand for: a number ({@code $0}..{@code $9}, {@code ${12}}) for
     * the captures of the matched {@code regex_uri}, {@code $0} the whole match (empty when none
     * matched or the group did not take part), any other name for the request's variable.
     */
    static Function<String, String> values(PluginContext context, Matcher captures) {
        return name -> {
            if (name.chars().allMatch(Character::isDigit)) {
                int group = name.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(name);
                return captures != null && group <= captures.groupCount() ? captures.group(group) : null;
            }
            return context.var(name);
        };
    }
}
