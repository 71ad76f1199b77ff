package dev.vxext.process;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The name rule: 1 to 128 characters of {@code [A-Za-z0-9._@-]}, each violation named. */
class ProcessNamesTest {

  @Test
  void acceptsTheAllowedCharacters() {
    assertThat(ProcessNames.problem("worker.A")).isNull();
    assertThat(ProcessNames.problem("az-AZ_09.x@y")).isNull();
    assertThat(ProcessNames.isValid("x".repeat(ProcessNames.MAX_LENGTH))).isTrue();
  }

  @Test
  void namesWhatIsWrong() {
    assertThat(ProcessNames.problem(null)).isEqualTo("is missing");
    assertThat(ProcessNames.problem("")).isEqualTo("must not be empty");
    assertThat(ProcessNames.problem("x".repeat(ProcessNames.MAX_LENGTH + 1))).contains("129 characters long");
    for (String bad : new String[] {"a b", "a#1", "a/b", "é", "a:b", "a\u0000", "[a]", "a+b"}) {
      assertThat(ProcessNames.problem(bad)).as(bad).contains("may only contain");
      assertThat(ProcessNames.isValid(bad)).as(bad).isFalse();
    }
  }
}
