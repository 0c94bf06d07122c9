package dev.wf.cli;

import java.util.concurrent.CountDownLatch;

/**
 * How a service command (broker, coordinator, agent) serves until it is asked to stop (SIGTERM,
 * Ctrl-C): the stop closes what it runs, and then the command returns.
 */
final class ServiceStop {
  private final CountDownLatch closed = new CountDownLatch(1);

  private ServiceStop() {}

  /** From now on a stop request runs {@code close} (set it up before a long start-up). */
  static ServiceStop onStop(Runnable close) {
    ServiceStop s = new ServiceStop();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close.run();
                  s.closed.countDown();
                }));
    return s;
  }

  /** Serves until a stop request has closed everything; then the command exits 0. */
  int await() throws InterruptedException {
    closed.await();
    return Main.OK;
  }
}
