package dev.wf.cli.dashboard;

import dev.wf.protocol.Topics;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running dashboard: a thread folding the topics into the live view, and the web server that
 * shows it. {@code wf dashboard} runs one on its own; {@code wf run --dashboard} beside its run.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.dashboard");

  /** Runs kept by default: the newest 5,000. */
  public static final int DEFAULT_MAX_RUNS = 5_000;

  private final TopicFeed feed;
  private final Thread feedThread;
  private final DashboardServer server;
  private final LiveView view;
  private final RunControl control;
  private final URI url;

  /**
   * Where and how it serves: {@code bind} and {@code port} (0: any free port), {@code token} (null:
   * open), {@code by} (who the page's approvals are signed as), {@code maxRuns} kept.
   */
  public record Settings(
      Topics topics, String bind, int port, String token, String by, int maxRuns) {}

  private Dashboard(
      TopicFeed feed,
      Thread feedThread,
      DashboardServer server,
      LiveView view,
      RunControl control,
      URI url) {
    this.control = control;
    this.feed = feed;
    this.feedThread = feedThread;
    this.server = server;
    this.view = view;
    this.url = url;
  }

  /**
   * Starts reading with {@code consumer} (its own: the dashboard closes it) and serving; {@code
   * control} carries the page's cancels and approvals to the intake topic (closed with the
   * dashboard).
   *
   * @throws BindException when the port is taken
   */
  public static Dashboard start(
      Settings s, KafkaConsumer<String, byte[]> consumer, RunControl control) throws IOException {
    LiveView view = new LiveView(new DashboardModel(s.maxRuns()), Clock.systemUTC());
    DashboardServer server;
    try {
      server =
          new DashboardServer(
              new InetSocketAddress(s.bind(), s.port()),
              new Access(s.token()),
              view,
              control,
              s.by());
    } catch (IOException e) {
      consumer.close();
      control.close();
      throw e;
    }
    TopicFeed feed = new TopicFeed(consumer, s.topics(), view);
    Thread t = new Thread(feed, "wf-dashboard-feed");
    t.setDaemon(true);
    t.start();
    String host = s.bind().equals("0.0.0.0") || s.bind().equals("::") ? "localhost" : s.bind();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    URI url = URI.create("http://" + host + ":" + server.port() + "/");
    LOG.info("dashboard serving {} (topics {}*)", url, s.topics().prefix());
    return new Dashboard(feed, t, server, view, control, url);
  }

  /** The page's address (without the token). */
  public URI url() {
    return url;
  }

  @Override
  public void close() {
    view.closeAll();
    server.close();
    feed.stop();
    try {
      feedThread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    control.close();
  }
}
