package dev.asyncsocket;

/** The readiness {@link AsyncSocket#notifyIoAsync} would wait for. Not implemented (SRS 04_002). */
public enum NotifyIoType { IN, OUT }
