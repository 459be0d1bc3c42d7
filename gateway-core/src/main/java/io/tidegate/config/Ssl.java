package io.tidegate.config;

import java.util.List;

/** A certificate and key (PEM) served for the given SNI names. */
public record Ssl(String id, String cert, String key, List<String> snis, String type) {}
