package dev.wf.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven by Selenium, as the dashboard's tests use it: Debian's {@code
 * chromium} and {@code chromium-driver} (never a driver downloaded at test time). Without them the
 * tests fail and say what to install: a dashboard that was never looked at is not tested.
 */
final class Browser implements AutoCloseable {
  private static final List<String> CHROMES =
      List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
  private static final List<String> DRIVERS =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  final ChromeDriver driver;

  private Browser(ChromeDriver driver) {
    this.driver = driver;
  }

  static Browser start() {
    String chrome = first("WF_TEST_CHROME", CHROMES);
    String chromedriver = first("WF_TEST_CHROMEDRIVER", DRIVERS);
    if (chrome == null || chromedriver == null) {
      fail(
          "the dashboard's browser tests need Chromium and its driver (found chromium: "
              + chrome
              + ", chromedriver: "
              + chromedriver
              + "); install them with: apt-get install -y chromium chromium-driver");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chrome);
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1440,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver)).build();
    return new Browser(new ChromeDriver(service, options));
  }

  private static String first(String env, List<String> candidates) {
    String given = System.getenv(env);
    if (given != null && !given.isBlank()) {
      return Files.isExecutable(Path.of(given)) ? given : null;
    }
    return candidates.stream().filter(c -> Files.isExecutable(Path.of(c))).findFirst().orElse(null);
  }

  void open(String url) {
    driver.get(url);
    until("the page's first render", d -> "1".equals(body("ready")));
  }

  String body(String data) {
    return (String) js("return document.body.dataset[arguments[0]] || null", data);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Waits (30 s at most) until {@code condition} holds, re-reading the page each time. */
  <T> T until(String what, Function<WebDriver, T> condition) {
    return until(what, Duration.ofSeconds(30), condition);
  }

  <T> T until(String what, Duration timeout, Function<WebDriver, T> condition) {
    WebDriverWait wait = new WebDriverWait(driver, timeout, Duration.ofMillis(50));
    wait.withMessage(what);
    wait.ignoring(StaleElementReferenceException.class);
    wait.ignoring(NoSuchElementException.class);
    return wait.until(condition);
  }

  /** The status a person sees on the element {@code css} (its {@code data-status}). */
  String statusOf(String css) {
    List<WebElement> found = driver.findElements(By.cssSelector(css));
    return found.isEmpty() ? null : found.get(0).getAttribute("data-status");
  }

  /** Waits until the element {@code css} shows {@code status}. */
  void awaitStatus(String css, String status) {
    until(css + " shows " + status, d -> status.equals(statusOf(css)));
  }

  void click(String css) {
    until(
        "clicked " + css,
        d -> {
          d.findElement(By.cssSelector(css)).click();
          return true;
        });
  }

  void screenshot(Path to) throws IOException {
    Files.createDirectories(to.toAbsolutePath().getParent());
    Files.write(to, driver.getScreenshotAs(OutputType.BYTES));
  }

  @Override
  public void close() {
    driver.quit();
  }
}
