package dev.dti.toyworld.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dti.toyworld.ObjectColour;
import dev.dti.toyworld.ToyWorld;
import java.util.List;
import org.junit.jupiter.api.Test;

class MethodComparisonTest {

  @Test
  void everyPromptIsACaptionOfTheToyWorldWithTheConceptInPlaceOfAShape() {
    for (int i = 0; i < 64; i++) {
      for (var prompt : MethodComparison.promptsFor("<c>", ObjectColour.RED, i)) {
        // The tokenizer of the toy world knows every other word (ToyData refuses unknown ones).
        assertThat(ToyData.tokenIds(prompt.text().replace("<c>", "object"))).isNotEmpty();
        assertThat(prompt.text()).containsOnlyOnce("<c>");
      }
    }
  }

  @Test
  void colourPromptsAskForAnotherColourThanTheConceptsOwnAndAVisibleOne() {
    for (int i = 0; i < 64; i++) {
      List<MethodComparison.Prompt> prompts =
          MethodComparison.promptsFor("<c>", ObjectColour.GREEN, i);
      for (var prompt : prompts.subList(1, prompts.size())) {
        assertThat(prompt.colour()).isNotEqualTo(ObjectColour.GREEN);
        assertThat(prompt.colour().visibleOn(prompt.background())).isTrue();
      }
      var two = prompts.get(2);
      assertThat(two.secondColour()).isNotEqualTo(two.colour());
      assertThat(two.secondColour().visibleOn(two.background())).isTrue();
      assertThat(two.second().named()).isTrue();
      assertThat(two.text())
          .isEqualTo(
              ToyWorld.article(two.colour().word())
                  + " "
                  + two.colour().word()
                  + " <c> next to "
                  + ToyWorld.article(two.secondColour().word())
                  + " "
                  + two.secondColour().word()
                  + " "
                  + two.second().word()
                  + " on a "
                  + two.background().word()
                  + " background");
    }
  }
}
