package dev.asyncsocket;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void anExceptionFromACallbackIsLoggedAndGoesNoFurther() {
        Callbacks.sendComplete((ctx, result) -> {
            throw new IllegalStateException("thrown by a test callback");
        }, null, SendResult.OK);
        Callbacks.receiveComplete((ctx, result, n) -> {
            throw new IllegalStateException("thrown by a test callback");
        }, null, ReceiveResult.ABANDONED, 0);
    }

    @Test
    void aVirtualMachineErrorIsNotSwallowed() {
        assertThrows(OutOfMemoryError.class, () -> Callbacks.openComplete((ctx, result) -> {
            throw new OutOfMemoryError("simulated");
        }, null, OpenResult.OK));
    }
}
