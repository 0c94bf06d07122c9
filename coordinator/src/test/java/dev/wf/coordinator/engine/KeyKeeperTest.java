package dev.wf.coordinator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.coordinator.engine.KeyKeeper.Answer;
import dev.wf.coordinator.engine.KeyKeeper.Ref;
import dev.wf.coordinator.engine.KeyKeeper.Reply;
import dev.wf.protocol.definition.Concurrency.OnBusy;
import org.junit.jupiter.api.Test;

/** The keeper of one concurrency key: one holder, the others in line. */
class KeyKeeperTest {
  private static final String KEY = "deploy-prod";
  private final KeyKeeper.State state = new KeyKeeper.State();
  private final Ref a = new Ref("run-a", "Release");
  private final Ref b = new Ref("run-b", "Release");
  private final Ref c = new Ref("run-c", "Release");

  @Test
  void shouldGrantAFreeKeyAndQueueTheNextInArrivalOrder() {
    assertThat(KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE))
        .containsExactly(new Reply(a, Answer.GRANTED, KEY, null));
    assertThat(KeyKeeper.acquire(state, KEY, b, OnBusy.QUEUE))
        .containsExactly(new Reply(b, Answer.QUEUED, KEY, a));
    assertThat(KeyKeeper.acquire(state, KEY, c, OnBusy.QUEUE))
        .containsExactly(new Reply(c, Answer.QUEUED, KEY, a));
    assertThat(KeyKeeper.release(state, KEY, a))
        .containsExactly(new Reply(b, Answer.GRANTED, KEY, null));
    assertThat(KeyKeeper.release(state, KEY, b))
        .containsExactly(new Reply(c, Answer.GRANTED, KEY, null));
    assertThat(KeyKeeper.release(state, KEY, c)).isEmpty();
    assertThat(state.isFree()).isTrue();
  }

  @Test
  void shouldRefuseWhenBusyAndTheStepSaysFail() {
    KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE);
    assertThat(KeyKeeper.acquire(state, KEY, b, OnBusy.FAIL))
        .containsExactly(new Reply(b, Answer.REFUSED, KEY, a));
    assertThat(state.queue()).isEmpty();
    assertThat(state.holder()).isEqualTo(a);
  }

  @Test
  void shouldAskTheHolderToStopAndPutTheNewcomerFirstWhenItCancelsTheRunning() {
    KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE);
    KeyKeeper.acquire(state, KEY, b, OnBusy.QUEUE);
    assertThat(KeyKeeper.acquire(state, KEY, c, OnBusy.CANCEL_RUNNING))
        .containsExactly(
            new Reply(a, Answer.PREEMPTED, KEY, c), new Reply(c, Answer.QUEUED, KEY, a));
    assertThat(state.holder()).as("the holder keeps the key until it has stopped").isEqualTo(a);
    assertThat(KeyKeeper.release(state, KEY, a))
        .containsExactly(new Reply(c, Answer.GRANTED, KEY, null));
    assertThat(state.queue()).containsExactly(b);
  }

  @Test
  void shouldTakeAWaitingStepThatEndedOutOfTheLine() {
    KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE);
    KeyKeeper.acquire(state, KEY, b, OnBusy.QUEUE);
    KeyKeeper.acquire(state, KEY, c, OnBusy.QUEUE);
    assertThat(KeyKeeper.release(state, KEY, b)).as("b was cancelled while waiting").isEmpty();
    assertThat(KeyKeeper.release(state, KEY, a))
        .containsExactly(new Reply(c, Answer.GRANTED, KEY, null));
  }

  @Test
  void shouldAnswerAReplayedRequestWithoutQueueingItTwice() {
    KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE);
    KeyKeeper.acquire(state, KEY, b, OnBusy.QUEUE);
    assertThat(KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE))
        .containsExactly(new Reply(a, Answer.GRANTED, KEY, null));
    assertThat(KeyKeeper.acquire(state, KEY, b, OnBusy.QUEUE)).isEmpty();
    assertThat(state.queue()).containsExactly(b);
  }

  @Test
  void shouldIgnoreTheReleaseOfAStepThatNeitherHoldsNorWaits() {
    KeyKeeper.acquire(state, KEY, a, OnBusy.QUEUE);
    assertThat(KeyKeeper.release(state, KEY, b)).isEmpty();
    assertThat(state.holder()).isEqualTo(a);
    assertThat(state.isFree()).isFalse();
  }
}
