package dev.dti.diffusion.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dti.support.Golden;
import dev.dti.toyworld.TokenizerFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLIPTokenizerTest {

  private static final int BOS = 49406;
  private static final int EOS = 49407;
  private static final int A = 320;
  private static final int PHOTO = 1125;
  private static final int OF = 539;
  private static final int CAT = 2368;

  private static CLIPTokenizer golden() throws Exception {
    return CLIPTokenizer.fromPretrained(Golden.dir("clip_tokenizer"));
  }

  @Test
  void padsTo77WithEndOfTextWhenNoTokenizerConfigSaysOtherwise() throws Exception {
    int[] ids = golden().encodePadded("a photo of a cat");
    assertThat(ids).hasSize(77);
    assertThat(Arrays.copyOf(ids, 7)).containsExactly(BOS, A, PHOTO, OF, A, CAT, EOS);
    assertThat(Arrays.copyOfRange(ids, 7, 77)).containsOnly(EOS);
  }

  @Test
  void padsWithTheStableDiffusion2PadTokenFromTokenizerConfig(@TempDir Path dir) throws Exception {
    copyVocabulary(dir);
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"pad_token\": \"!\", \"model_max_length\": 77}");
    CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(dir);
    assertThat(tokenizer.padTokenId()).isZero();
    int[] ids = tokenizer.encodePadded("a photo of a cat");
    assertThat(Arrays.copyOf(ids, 7)).containsExactly(BOS, A, PHOTO, OF, A, CAT, EOS);
    assertThat(Arrays.copyOfRange(ids, 7, 77)).containsOnly(0);
  }

  @Test
  void readsThePadTokenObjectFormOfSpecialTokensMap(@TempDir Path dir) throws Exception {
    copyVocabulary(dir);
    Files.writeString(
        dir.resolve("special_tokens_map.json"),
        "{\"pad_token\": {\"content\": \"<|endoftext|>\", \"lstrip\": false}}");
    assertThat(CLIPTokenizer.fromPretrained(dir).padTokenId()).isEqualTo(EOS);
  }

  @Test
  void truncatesTo77KeepingEndOfTextLast() throws Exception {
    CLIPTokenizer tokenizer = golden();
    String text = "a photo of a cat, ".repeat(20);
    int[] full = tokenizer.encode(text);
    assertThat(full.length).isGreaterThan(77);
    int[] ids = tokenizer.encodePadded(text);
    assertThat(ids).hasSize(77);
    assertThat(Arrays.copyOf(ids, 76)).containsExactly(Arrays.copyOf(full, 76));
    assertThat(ids[76]).isEqualTo(EOS);
  }

  @Test
  void placeholderTokenGetsTheFirstIdAfterTheVocabularyAndIsMatchedBeforeBpe() throws Exception {
    CLIPTokenizer tokenizer = golden();
    assertThat(tokenizer.encode("a photo of <sks> dog")).hasSize(9); // '<', 'sks', '>' unregistered
    assertThat(tokenizer.addPlaceholderToken("<sks>", 1)).containsExactly(49408);
    assertThat(tokenizer.encode("a photo of <sks> dog"))
        .containsExactly(BOS, A, PHOTO, OF, 49408, 1929, EOS);
    assertThat(tokenizer.encode("a photo of<sks>dog"))
        .containsExactly(BOS, A, PHOTO, OF, 49408, 1929, EOS);
    assertThat(tokenizer.encode("<SKS>")).as("matched case-sensitively").hasSize(5);
    assertThat(tokenizer.size()).isEqualTo(49409);
    assertThat(tokenizer.vocabSize()).isEqualTo(49408);
  }

  @Test
  void multiVectorPlaceholderExpandsToNumberedTokensWithConsecutiveIds() throws Exception {
    CLIPTokenizer tokenizer = golden();
    assertThat(tokenizer.addPlaceholderToken("<my-cat>", 1)).containsExactly(49408);
    assertThat(tokenizer.addPlaceholderToken("<art>", 3)).containsExactly(49409, 49410, 49411);
    assertThat(tokenizer.tokenize("<my-cat> in <art>"))
        .containsExactly("<my-cat>", "in</w>", "<art>", "<art>_1", "<art>_2");
    assertThat(tokenizer.encode("<art>_1")).containsExactly(BOS, 49410, EOS);
    assertThat(tokenizer.tokenId("<art>_2")).hasValue(49411);
  }

  @Test
  void refusesAPlaceholderThatAlreadyExists() throws Exception {
    CLIPTokenizer tokenizer = golden();
    tokenizer.addPlaceholderToken("<x>", 2);
    assertThatThrownBy(() -> tokenizer.addPlaceholderToken("<x>_1", 1))
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> tokenizer.addPlaceholderToken("cat</w>", 1))
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> tokenizer.addPlaceholderToken("<y>", 0))
        .hasMessageContaining("at least one vector");
  }

  @Test
  void cleansTextLikeFtfyAndPythonHtml() {
    assertThat(CLIPTokenizer.normalize("&amp;amp;amp;amp; &lt;3")).isEqualTo("& <3");
    assertThat(CLIPTokenizer.normalize("caf&eacute; &#233;t&#xE9; &#150; &copy"))
        .isEqualTo("café été – ©");
    assertThat(CLIPTokenizer.normalize("\u001B[31mred\u001B[0m \uFEFFzero")).isEqualTo("red zero");
    assertThat(CLIPTokenizer.normalize("\uFF76\uFF9E \uFB03 \u0133")).isEqualTo("ガ ffi ij");
    assertThat(CLIPTokenizer.normalize("x\u00B2 \u00BD"))
        .as("no NFKC beyond width forms")
        .isEqualTo("x\u00B2 \u00BD");
  }

  @Test
  void idsAreTheVocabularyIndicesOfTheTokens() throws Exception {
    CLIPTokenizer tokenizer = golden();
    int[] ids = tokenizer.encode("a rabbit wearing a spacesuit");
    var tokens = tokenizer.tokenize("a rabbit wearing a spacesuit");
    int[] looked = tokens.stream().mapToInt(t -> tokenizer.tokenId(t).getAsInt()).toArray();
    assertThat(looked).containsExactly(Arrays.copyOfRange(ids, 1, ids.length - 1));
  }

  @Test
  void readsTheToyWorldTokenizerFolderWithItsLengthAndUnknownPieces(@TempDir Path dir)
      throws Exception {
    TokenizerFiles.write(dir);
    CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(dir);
    assertThat(tokenizer.maxLength()).isEqualTo(16);
    assertThat(tokenizer.tokenize("A red circle on a blue background"))
        .containsExactly(
            "a</w>", "red</w>", "circle</w>", "on</w>", "a</w>", "blue</w>", "background</w>");
    assertThat(tokenizer.tokenize("star")).containsExactly("s", "t", "a", "r</w>");
    int[] ids = tokenizer.encodePadded("a 7");
    assertThat(ids).hasSize(16);
    assertThat(ids[2]).as("'7</w>' is not in the toy vocabulary").isEqualTo(tokenizer.unkTokenId());
  }

  private static void copyVocabulary(Path dir) throws Exception {
    Path golden = Golden.dir("clip_tokenizer");
    Files.copy(golden.resolve("vocab.json"), dir.resolve("vocab.json"));
    Files.copy(golden.resolve("merges.txt"), dir.resolve("merges.txt"));
  }
}
