package dev.wf.agent.action;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A cancel request for one dispatch: actions register what to do when it comes. */
public final class Cancellation {
  private final CountDownLatch requested = new CountDownLatch(1);
  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private volatile String reason;

  public void cancel(String why) {
    if (requested.getCount() == 0) {
      return;
    }
    reason = why;
    requested.countDown();
    hooks.forEach(Runnable::run);
  }

  public boolean isCancelled() {
    return requested.getCount() == 0;
  }

  public String reason() {
    return reason;
  }

  /** Runs {@code hook} on cancel (at once when already cancelled). */
  public void onCancel(Runnable hook) {
    hooks.add(hook);
    if (isCancelled()) {
      hook.run();
    }
  }

  /** Waits up to {@code millis}; true when cancelled meanwhile. */
  public boolean await(long millis) throws InterruptedException {
    return requested.await(millis, TimeUnit.MILLISECONDS);
  }
}
