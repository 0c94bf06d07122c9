package dev.wf.protocol.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** protocol is what every other module and any client share: it holds no application code. */
@AnalyzeClasses(packages = "dev.wf.protocol", importOptions = ImportOption.DoNotIncludeTests.class)
class ProtocolArchitectureTest {
  @ArchTest
  static final ArchRule noAppCode =
      noClasses()
          .that()
          .resideInAPackage("dev.wf.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.wf.coordinator..", "dev.wf.agent..", "dev.wf.cli..", "dev.wf.broker..")
          .because("protocol is the shared contract, not an application");

  @ArchTest
  static final ArchRule noKafkaStreams =
      noClasses()
          .that()
          .resideInAPackage("dev.wf.protocol..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.kafka.streams..", "kafka..")
          .because("protocol holds messages and serdes, no Kafka Streams");
}
