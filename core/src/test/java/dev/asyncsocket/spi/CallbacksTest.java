package dev.asyncsocket.spi;

import dev.asyncsocket.AsyncSocket;
import dev.asyncsocket.OpenResult;
import dev.asyncsocket.ReceiveResult;
import dev.asyncsocket.SendResult;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CallbacksTest {

    @Test
    void aCallbackIsCalledWithItsContextAndResult() {
        List<Object> seen = new ArrayList<>();
        Callbacks.sendComplete((ctx, result) -> seen.add(ctx + ":" + result), "c1", SendResult.OK);
        Callbacks.receiveComplete((ctx, result, n) -> seen.add(ctx + ":" + result + ":" + n), "c2", ReceiveResult.OK, 3);
        Callbacks.openComplete((ctx, result) -> seen.add(ctx + ":" + result), null, OpenResult.OK);
        assertEquals(List.of("c1:OK", "c2:OK:3", "null:OK"), seen);
    }

    @Test
    void anExceptionFromACallbackIsLoggedAsAWarningAndGoesNoFurther() {
        List<LogRecord> logged = recordLog(() -> {
            Callbacks.sendComplete((ctx, result) -> {
                throw new IllegalStateException("thrown by a test callback");
            }, null, SendResult.OK);
            Callbacks.receiveComplete((ctx, result, n) -> {
                throw new IllegalStateException("thrown by a test callback");
            }, null, ReceiveResult.ABANDONED, 0);
        });
        assertEquals(2, logged.size());
        for (LogRecord record : logged) {
            assertEquals(Level.WARNING, record.getLevel());
            assertEquals(IllegalStateException.class, record.getThrown().getClass());
        }
    }

    @Test
    void aVirtualMachineErrorFromACallbackIsLoggedAsAnErrorAndGoesNoFurther() {
        List<LogRecord> logged = recordLog(() -> Callbacks.openComplete((ctx, result) -> {
            throw new OutOfMemoryError("thrown by a test callback");
        }, null, OpenResult.OK));
        assertEquals(1, logged.size());
        assertEquals(Level.SEVERE, logged.get(0).getLevel());
        assertEquals(OutOfMemoryError.class, logged.get(0).getThrown().getClass());
    }

    /** What {@link Callbacks} logs (through java.util.logging, the System.Logger default) while {@code action} runs. */
    private static List<LogRecord> recordLog(Runnable action) {
        Logger logger = Logger.getLogger(AsyncSocket.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            action.run();
        } finally {
            logger.removeHandler(handler);
        }
        return records;
    }
}
