package io.tidegate.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * A radix tree over path patterns: static text, {@code :name} segments (one path segment, not
 * empty) and a trailing {@code *} (any rest, including nothing). Lookup walks the path once, so its
 * cost depends on the path, not on how many patterns the tree holds.
 *
 * <p>Order of candidates: deeper matches first, so an exact match beats a prefix and a longer prefix
 * beats a shorter one; static text is tried before a parameter at the same place; values of one
 * pattern are tried in the order given by the comparator (route priority). The first value the
 * predicate accepts wins.
 */
public final class RadixTree<T> {
    private final Node<T> root = new Node<>("");
    private final Comparator<? super T> order;
    private boolean frozen;

    public RadixTree(Comparator<? super T> order) {
        this.order = order;
    }

    /** Adds a value under a pattern; throws {@link IllegalArgumentException} for a malformed pattern. */
    public void insert(String pattern, T value) {
        if (frozen) {
            throw new IllegalStateException("tree is frozen");
        }
        boolean prefix = false;
        String body = pattern;
        int star = pattern.indexOf('*');
        if (star >= 0) {
            String name = pattern.substring(star + 1);
            if (!name.isEmpty() && !name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
                throw new IllegalArgumentException("* may only end a path (as /prefix* or /prefix/*name)");
            }
            prefix = true;
            body = pattern.substring(0, star);
        }
        Node<T> node = root;
        int i = 0;
        while (i < body.length()) {
            int colon = body.indexOf(':', i);
            boolean paramHere = colon == i && (i == 0 || body.charAt(i - 1) == '/');
            if (paramHere) {
                int end = body.indexOf('/', i);
                end = end < 0 ? body.length() : end;
                if (end == i + 1) {
                    throw new IllegalArgumentException("parameter at position " + i + " has no name");
                }
                if (node.param == null) {
                    node.param = new Node<>("");
                }
                node = node.param;
                i = end;
            } else {
                int end = nextParam(body, i);
                node = node.insertStatic(body.substring(i, end));
                i = end;
            }
        }
        node.add(prefix, value);
    }

    private static int nextParam(String body, int from) {
        int i = from;
        while (true) {
            int colon = body.indexOf(':', i);
            if (colon < 0) {
                return body.length();
            }
            if (colon > from && body.charAt(colon - 1) == '/') {
                return colon;
            }
            i = colon + 1;
        }
    }

    /** Sorts values per pattern and makes the tree read-only; call before serving. */
    public RadixTree<T> freeze() {
        root.freeze(order);
        frozen = true;
        return this;
    }

    /** The first value, in candidate order, whose pattern matches {@code path} and that {@code accept} takes. */
    public T find(String path, Predicate<? super T> accept) {
        return root.find(path, 0, accept);
    }

    private static final class Node<T> {
        private String label;
        private Node<T>[] children = empty();
        private Node<T> param;
        private List<T> exactList = new ArrayList<>();
        private List<T> prefixList = new ArrayList<>();
        private Object[] exact = new Object[0];
        private Object[] prefix = new Object[0];

        Node(String label) {
            this.label = label;
        }

        @SuppressWarnings("unchecked")
        private static <T> Node<T>[] empty() {
            return (Node<T>[]) new Node<?>[0];
        }

        void add(boolean isPrefix, T value) {
            (isPrefix ? prefixList : exactList).add(value);
        }

        /** Descends along {@code text}, splitting edges as needed; returns the node where it ends. */
        Node<T> insertStatic(String text) {
            if (text.isEmpty()) {
                return this;
            }
            for (int c = 0; c < children.length; c++) {
                Node<T> child = children[c];
                int common = commonPrefix(child.label, text);
                if (common == 0) {
                    continue;
                }
                if (common < child.label.length()) {
                    Node<T> split = new Node<>(child.label.substring(0, common));
                    child.label = child.label.substring(common);
                    split.children = newArray(child);
                    children[c] = split;
                    child = split;
                }
                return child.insertStatic(text.substring(common));
            }
            Node<T> created = new Node<>(text);
            children = Arrays.copyOf(children, children.length + 1);
            children[children.length - 1] = created;
            return created;
        }

        @SuppressWarnings("unchecked")
        private static <T> Node<T>[] newArray(Node<T> only) {
            Node<T>[] array = (Node<T>[]) new Node<?>[1];
            array[0] = only;
            return array;
        }

        private static int commonPrefix(String a, String b) {
            int n = Math.min(a.length(), b.length());
            int i = 0;
            while (i < n && a.charAt(i) == b.charAt(i)) {
                i++;
            }
            return i;
        }

        void freeze(Comparator<? super T> order) {
            exactList.sort(order);
            prefixList.sort(order);
            exact = exactList.toArray();
            prefix = prefixList.toArray();
            exactList = null;
            prefixList = null;
            for (Node<T> child : children) {
                child.freeze(order);
            }
            if (param != null) {
                param.freeze(order);
            }
        }

        /** {@code pos} is where this node's label ended in the path. */
        @SuppressWarnings("unchecked")
        T find(String path, int pos, Predicate<? super T> accept) {
            if (pos == path.length()) {
                for (Object value : exact) {
                    if (accept.test((T) value)) {
                        return (T) value;
                    }
                }
            } else {
                char next = path.charAt(pos);
                for (Node<T> child : children) {
                    if (child.label.charAt(0) == next) {
                        if (path.startsWith(child.label, pos)) {
                            T found = child.find(path, pos + child.label.length(), accept);
                            if (found != null) {
                                return found;
                            }
                        }
                        break;
                    }
                }
                if (param != null && next != '/') {
                    int end = path.indexOf('/', pos);
                    T found = param.find(path, end < 0 ? path.length() : end, accept);
                    if (found != null) {
                        return found;
                    }
                }
            }
            for (Object value : prefix) {
                if (accept.test((T) value)) {
                    return (T) value;
                }
            }
            return null;
        }
    }
}
