package dev.wf.protocol.result;

/** One failure, listed once where it began (a leaf, or a condition that could not be evaluated). */
public record ErrorEntry(String path, String step, String message) {}
