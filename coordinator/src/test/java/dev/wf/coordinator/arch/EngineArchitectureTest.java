package dev.wf.coordinator.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The workflow state machine stays pure: no Kafka, no clock, no threads. */
@AnalyzeClasses(
    packages = "dev.wf.coordinator",
    importOptions = ImportOption.DoNotIncludeTests.class)
class EngineArchitectureTest {
  @ArchTest
  static final ArchRule engineHasNoKafka =
      noClasses()
          .that()
          .resideInAPackage("dev.wf.coordinator.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka..", "dev.wf.coordinator.kafka..")
          .because("the state machine is pure; Kafka code is a thin shell around it");

  @ArchTest
  static final ArchRule engineReadsNoClock =
      noClasses()
          .that()
          .resideInAPackage("dev.wf.coordinator.engine..")
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.time.Clock")
          .because("time is an input of the machine");

  @ArchTest
  static final ArchRule engineStartsNoThreads =
      noClasses()
          .that()
          .resideInAPackage("dev.wf.coordinator.engine..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("java.util.concurrent..")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .because("the machine is applied one input at a time by its shell");
}
