package io.tidegate.proxy;

import io.undertow.util.HttpString;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Header names plugins pass as text, as Undertow's {@link HttpString}: its constants for standard
 * names, and the others (cors's Access-Control-*, X-Consumer-Username, ...) made once rather than on
 * every call, which showed in cors's header_filter profile. A memo of immutable values, bounded so
 * that names taken from requests cannot grow it without end.
 */
final class HeaderNames {
    private static final int MAX_REMEMBERED = 4096;
    private static final ConcurrentHashMap<String, HttpString> MADE = new ConcurrentHashMap<>();

    private HeaderNames() {}

    static HttpString of(String name) {
        HttpString made = MADE.get(name);
        if (made != null) {
            return made;
        }
        made = HttpString.tryFromString(name);
        if (MADE.size() < MAX_REMEMBERED) {
            MADE.putIfAbsent(name, made);
        }
        return made;
    }
}
