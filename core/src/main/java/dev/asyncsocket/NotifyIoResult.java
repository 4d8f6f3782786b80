package dev.asyncsocket;

/** The result an {@link OnNotifyIoComplete} would receive. Not implemented (SRS 04_002). */
public enum NotifyIoResult { IN, OUT, ABANDONED, ERROR }
