package dev.dti.embedding.file;

import static dev.dti.embedding.file.PickleBytes.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading {@code .pt} and {@code .bin} files written by {@code torch.save}, from fixtures built
 * here byte by byte, and refusing every pickle that would need code to run.
 */
class TorchEmbeddingFilesTest {

  static final float[] VALUES = {0.5f, -1.25f, 3f, 1e-3f, -0f, 65504f};

  /**
   * The data.pkl of A1111's {@code Embedding.save}: {@code torch.save({'string_to_token': {'*':
   * 265}, 'string_to_param': {'*': tensor}, 'name': name, 'step': 10})} with a [2, 3] float32
   * tensor in storage '0'. torch.save pickles with protocol 2, so: strings are BINUNICODE, small
   * ints BININT1/BININT2, dicts EMPTY_DICT then SETITEM for one item or MARK … SETITEMS for more,
   * and every string, global, tuple and dict is memoized with BINPUT. The '*' key is the same
   * Python string object in both inner dicts, so its second use is a BINGET.
   */
  static byte[] a1111Pickle(String name, int offset, int[] size, int[] stride) {
    PickleBytes p = new PickleBytes().proto(2);
    p.emptyDict().put(0).mark();
    p.unicode("string_to_token").put(1);
    p.emptyDict().put(2).unicode("*").put(3).integer(265).setitem();
    p.unicode("string_to_param").put(4);
    p.emptyDict().put(5).get(3);
    int memo = p.tensor(6, "0", VALUES.length, offset, size, stride);
    p.setitem();
    p.unicode("name").put(memo++).unicode(name).put(memo++);
    p.unicode("step").put(memo).integer(10);
    return p.setitems().stop().bytes();
  }

  /** The archive torch.save writes around a pickle: data.pkl, byteorder, data/0, version. */
  static byte[] archive(String folder, byte[] pickle, byte[] storage) {
    return PickleBytes.zip(
        false,
        folder + "/data.pkl",
        pickle,
        folder + "/byteorder",
        "little",
        folder + "/data/0",
        storage,
        folder + "/version",
        "3\n");
  }

  static byte[] a1111Pt() {
    return archive(
        "archive", a1111Pickle("x", 0, new int[] {2, 3}, new int[] {3, 1}), floats(VALUES));
  }

  // --- what real files hold ----------------------------------------------------------------

  @Test
  void anA1111PtFileGivesItsRowsNamedAfterTheFileWithNameAndStepAsMetadata() {
    EmbeddingFile read = EmbeddingFiles.read(a1111Pt(), "my-rabbit.pt");

    assertThat(read.token()).isEqualTo("my-rabbit");
    assertThat(read.rows()).isDeepEqualTo(new float[][] {{0.5f, -1.25f, 3f}, {1e-3f, -0f, 65504f}});
    assertThat(read.metadata()).containsEntry("name", "x").containsEntry("step", "10");
  }

  @Test
  void withoutAFilenameTheA1111NameInsideIsTheToken() {
    assertThat(EmbeddingFiles.read(a1111Pt(), null).token()).isEqualTo("x");
  }

  @Test
  void storageOffsetAndStrideAreFollowedLikeTorchDoes() {
    // A transposed view: size (3, 2), stride (1, 3) over the same six values, starting at 0;
    // and a one-row view starting at offset 3.
    byte[] transposed =
        archive("archive", a1111Pickle("t", 0, new int[] {3, 2}, new int[] {1, 3}), floats(VALUES));
    assertThat(EmbeddingFiles.read(transposed, "t.pt").rows())
        .isDeepEqualTo(new float[][] {{0.5f, 1e-3f}, {-1.25f, -0f}, {3f, 65504f}});

    byte[] tail =
        archive("archive", a1111Pickle("t", 3, new int[] {1, 3}, new int[] {3, 1}), floats(VALUES));
    assertThat(EmbeddingFiles.read(tail, "t.pt").rows())
        .isDeepEqualTo(new float[][] {{1e-3f, -0f, 65504f}});
  }

  @Test
  void aDiffusersLearnedEmbedsBinIsATokenToTensorDict() {
    // torch.save({'<cat-toy>': tensor}) of an old [768]-style 1-D tensor, from a file named
    // learned_embeds.bin: the folder inside the zip is the file's stem.
    PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).unicode("<cat-toy>").put(1);
    p.tensor(2, "0", 6, 0, new int[] {6}, new int[] {1});
    byte[] bin = archive("learned_embeds", p.setitem().stop().bytes(), floats(VALUES));

    EmbeddingFile read = EmbeddingFiles.read(bin, "learned_embeds.bin");

    assertThat(read.token()).isEqualTo("<cat-toy>");
    assertThat(read.rows()).isDeepEqualTo(new float[][] {VALUES});
  }

  @Test
  void aKohyaPtIsAnEmbParamsDictNamedAfterTheFile() {
    PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).unicode("emb_params").put(1);
    p.tensor(2, "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
    byte[] pt = archive("archive", p.setitem().stop().bytes(), floats(VALUES));

    EmbeddingFile read = EmbeddingFiles.read(pt, "bunny.pt");

    assertThat(read.token()).isEqualTo("bunny");
    assertThat(read.rows()).hasDimensions(2, 3);
  }

  @Test
  void protocolFourFormsAndDeflatedEntriesAreReadToo() {
    // pickle_protocol=4: FRAME, SHORT_BINUNICODE, STACK_GLOBAL and MEMOIZE instead of BINPUT;
    // the tensor wrapped as a Parameter by _rebuild_parameter(data, requires_grad, hooks).
    PickleBytes p = new PickleBytes().proto(4).op(0x95).raw(new byte[8]);
    p.emptyDict().op(0x94).shortUnicode("<p4>").op(0x94);
    p.shortUnicode("torch._utils").shortUnicode("_rebuild_parameter").op(0x93).op(0x94);
    p.tensor(10, "7", 6, 0, new int[] {1, 6}, new int[] {6, 1});
    p.newTrue().global("collections", "OrderedDict").emptyTuple().reduce().tuple3().reduce();
    byte[] zip =
        PickleBytes.zip(
            true, "p4/data.pkl", p.setitem().stop().bytes(), "p4/data/7", floats(VALUES));

    EmbeddingFile read = EmbeddingFiles.read(zip, "p4.pt");

    assertThat(read.token()).isEqualTo("<p4>");
    assertThat(read.rows()).isDeepEqualTo(new float[][] {VALUES});
  }

  @Test
  void halfPrecisionStoragesAreWidened() {
    PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).unicode("<h>").put(1);
    p.global("torch._utils", "_rebuild_tensor_v2").put(2).mark();
    p.mark().unicode("storage").global("torch", "HalfStorage").unicode("0").unicode("cpu");
    p.integer(2).tuple().binpersid().integer(0).integer(2).tuple1().integer(1).tuple1();
    p.newFalse().global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    byte[] half = {0x00, 0x3c, 0x00, (byte) 0xc0}; // 1.0, -2.0 in float16, little-endian
    byte[] pt = archive("archive", p.setitem().stop().bytes(), half);

    assertThat(EmbeddingFiles.read(pt, "h.pt").rows()).isDeepEqualTo(new float[][] {{1f, -2f}});
  }

  // --- refusals -----------------------------------------------------------------------------

  @Test
  void aPickleCallingOsSystemIsRefusedAndTheCommandNeverRuns(@TempDir Path dir) {
    Path marker = dir.resolve("pwned");
    // The classic payload: GLOBAL os system, ('touch <marker>',), REDUCE.
    byte[] evil =
        new PickleBytes()
            .proto(2)
            .global("os", "system")
            .unicode("touch " + marker)
            .tuple1()
            .reduce()
            .stop()
            .bytes();
    byte[] pt = archive("archive", evil, new byte[0]);

    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "evil.pt"))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessageContaining("os.system")
        .hasMessageContaining("would require executing code; refused");
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void aPayloadHiddenInsideAnOtherwiseValidEmbeddingIsRefused() {
    // A real-looking A1111 dict whose 'step' is builtins.eval("...") via STACK_GLOBAL.
    byte[] good = a1111Pickle("x", 0, new int[] {2, 3}, new int[] {3, 1});
    byte[] head = Arrays.copyOf(good, good.length - 4); // drop BININT1 10, SETITEMS, STOP
    PickleBytes tail = new PickleBytes().raw(head);
    tail.shortUnicode("builtins").shortUnicode("eval").op(0x93);
    tail.unicode("__import__('os').system('id')").tuple1().reduce().setitems().stop();
    byte[] pt = archive("archive", tail.bytes(), floats(VALUES));

    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "x.pt"))
        .hasMessageContaining("builtins.eval")
        .hasMessageContaining("refused");
  }

  @Test
  void objectBuildingOpcodesAndStateAreRefused() {
    byte[] newobj =
        new PickleBytes()
            .proto(2)
            .global("collections", "OrderedDict")
            .emptyTuple()
            .op(0x81)
            .stop()
            .bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", newobj, new byte[0]), "x.pt"))
        .hasMessageContaining("0x81")
        .hasMessageContaining("would require executing code; refused");

    byte[] build =
        new PickleBytes()
            .proto(2)
            .emptyDict()
            .emptyDict()
            .unicode("k")
            .unicode("v")
            .setitem()
            .build()
            .stop()
            .bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", build, new byte[0]), "x.pt"))
        .hasMessageContaining("BUILD")
        .hasMessageContaining("refused");

    byte[] callStorage =
        new PickleBytes()
            .proto(2)
            .global("torch", "FloatStorage")
            .emptyTuple()
            .reduce()
            .stop()
            .bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", callStorage, new byte[0]), "x.pt"))
        .hasMessageContaining("calls torch.FloatStorage");
  }

  @Test
  void unknownOpcodesAreRefused() {
    byte[] protocolZeroInt = new PickleBytes().proto(2).raw("I42\n".getBytes()).stop().bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", protocolZeroInt, new byte[0]), "x"))
        .hasMessageContaining("opcode 0x49 'I'")
        .hasMessageContaining("refused");

    byte[] garbage = new PickleBytes().proto(2).op(0xff).bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", garbage, new byte[0]), "x"))
        .hasMessageContaining("opcode 0xff");
  }

  @Test
  void truncatedArchivesAndPicklesAreRefused() {
    byte[] whole = a1111Pt();
    assertThatThrownBy(() -> EmbeddingFiles.read(Arrays.copyOf(whole, whole.length / 2), "x.pt"))
        .isInstanceOf(EmbeddingFormatException.class)
        .hasMessageContaining("damaged zip archive");

    byte[] pickle = a1111Pickle("x", 0, new int[] {2, 3}, new int[] {3, 1});
    byte[] cut = archive("archive", Arrays.copyOf(pickle, pickle.length - 1), floats(VALUES));
    assertThatThrownBy(() -> EmbeddingFiles.read(cut, "x.pt")).hasMessageContaining("truncated");

    byte[] shortStorage = archive("archive", pickle, Arrays.copyOf(floats(VALUES), 20));
    assertThatThrownBy(() -> EmbeddingFiles.read(shortStorage, "x.pt"))
        .hasMessageContaining("storage 0 holds 20 bytes, needs 24");
  }

  @Test
  void aTensorReachingOutsideItsStorageIsRefused() {
    byte[] pt =
        archive("archive", a1111Pickle("x", 1, new int[] {2, 3}, new int[] {3, 1}), floats(VALUES));
    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "x.pt"))
        .hasMessageContaining("reaches outside its storage");
  }

  @Test
  void wrongShapesInAPtAreRefused() {
    byte[] cube =
        archive(
            "archive",
            a1111Pickle("x", 0, new int[] {1, 2, 3}, new int[] {6, 3, 1}),
            floats(VALUES));
    assertThatThrownBy(() -> EmbeddingFiles.read(cube, "x.pt"))
        .hasMessageContaining("has shape [1, 2, 3]");
  }

  @Test
  void nanRowsInAPtAreRefusedNamingTheRow() {
    float[] values = VALUES.clone();
    values[4] = Float.NaN;
    byte[] pt =
        archive("archive", a1111Pickle("x", 0, new int[] {3, 2}, new int[] {2, 1}), floats(values));
    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "x.pt")).hasMessage("row 2 contains NaN");
  }

  @Test
  void legacyNonZipPicklesAndTorchScriptArchivesAreRefused() {
    byte[] legacy = new PickleBytes().proto(2).op(0x8a).op(10).raw(new byte[10]).bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(legacy, "old.pt"))
        .hasMessageContaining("legacy")
        .hasMessageContaining("refused");

    byte[] script =
        PickleBytes.zip(false, "m/data.pkl", new byte[] {'.'}, "m/constants.pkl", new byte[0]);
    assertThatThrownBy(() -> EmbeddingFiles.read(script, "m.pt"))
        .hasMessageContaining("TorchScript");
  }

  @Test
  void aZipBombIsStoppedAtTheUnpackedSizeLimit() {
    byte[] bomb = PickleBytes.zip(true, "a/data.pkl", new byte[11 * 1024 * 1024]);
    assertThat(bomb.length).isLessThan(EmbeddingFiles.MAX_FILE_BYTES);
    assertThatThrownBy(() -> EmbeddingFiles.read(bomb, "bomb.pt"))
        .hasMessageContaining("unpacks to more than 10 MB");
  }

  @Test
  void picklesThatWouldExhaustMemoryAreRefused() {
    // 64 KiB of EMPTY_DICT would be 64 Ki objects; an embedding pickle is about a kilobyte.
    byte[] dicts = new byte[64 * 1024 + 1];
    Arrays.fill(dicts, (byte) '}');
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", dicts, new byte[0]), "x.pt"))
        .hasMessageContaining("an embedding file's is a few kilobytes");

    // The same 75 x 4096 tensor rebuilt again and again from one storage: each REDUCE is a few
    // bytes of pickle but 1.2 MB of floats.
    int numel = 75 * 4096;
    PickleBytes p = new PickleBytes().proto(2).emptyList().put(0).mark();
    p.tensor(1, "0", numel, 0, new int[] {75, 4096}, new int[] {4096, 1});
    for (int i = 0; i < 10; i++) {
      p.get(1).mark().get(6).binpersid().integer(0).get(7).get(8).newFalse();
      p.get(9).emptyTuple().reduce().tuple().reduce();
    }
    byte[] pt = archive("archive", p.appends().stop().bytes(), new byte[4 * numel]);
    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "x.pt"))
        .hasMessageContaining("more tensor data than an embedding file holds");
  }

  @Test
  void aDictWithoutAnEmbeddingIsNotAnEmbeddingFile() {
    byte[] pickle =
        new PickleBytes()
            .proto(2)
            .emptyDict()
            .mark()
            .unicode("a")
            .integer(1)
            .unicode("b")
            .integer(2)
            .setitems()
            .stop()
            .bytes();
    assertThatThrownBy(() -> EmbeddingFiles.read(archive("a", pickle, new byte[0]), "x.pt"))
        .hasMessageContaining("not an embedding file: expected 'string_to_param'");
  }

  @Test
  void anSdxlPtWithClipGAloneIsRefusedNamingTheMissingClipL() {
    PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).unicode("clip_g").put(1);
    p.tensor(2, "0", 6, 0, new int[] {2, 3}, new int[] {3, 1});
    byte[] pt = archive("archive", p.setitem().stop().bytes(), floats(VALUES));
    assertThatThrownBy(() -> EmbeddingFiles.read(pt, "xl.pt"))
        .hasMessage(
            "the SDXL embedding has clip_g but no clip_l; an SDXL embedding holds rows for both"
                + " text encoders (clip_l and clip_g)");
  }
}
