package dev.dti.database;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers the embedded cluster after the JVM was killed with {@code kill -9}.
 *
 * <p>PostgreSQL is started through {@code pg_ctl}, so its postmaster outlives a killed JVM and the
 * next start fails with "lock file postmaster.pid already exists". zonky holds a file lock on
 * {@code epg-lock} while an instance owns the directory: if that lock is free but a postmaster from
 * {@code postmaster.pid} is still alive, nobody owns it any more and it is stopped here.
 */
final class StalePostmaster {

  private static final Logger log = LoggerFactory.getLogger(StalePostmaster.class);
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  private StalePostmaster() {}

  static void stopIfOrphaned(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    if (!lockIsFree(dataDir.resolve("epg-lock"))) {
      throw new IllegalStateException(
          "Another running dti-service owns the embedded database in "
              + dataDir
              + "; stop it or set DTI_DATA_DIR to another directory.");
    }
    Optional<ProcessHandle> postmaster = readPid(pidFile).flatMap(ProcessHandle::of);
    if (postmaster.isEmpty() || !postmaster.get().isAlive()) {
      log.info("Removing stale postmaster.pid left by an unclean shutdown");
      Files.deleteIfExists(pidFile);
      return;
    }
    ProcessHandle process = postmaster.get();
    log.warn(
        "Stopping orphaned embedded PostgreSQL (pid {}) left by a killed service", process.pid());
    process.destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients died with the JVM.
    try {
      process.onExit().get(SHUTDOWN_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
    Files.deleteIfExists(pidFile);
  }

  private static boolean lockIsFree(Path lockFile) throws IOException {
    if (!Files.exists(lockFile)) {
      return true;
    }
    try (var file = new RandomAccessFile(lockFile.toFile(), "rw");
        FileLock lock = file.getChannel().tryLock()) {
      return lock != null;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return false; // held by this very JVM
    }
  }

  private static Optional<Long> readPid(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(lines.getFirst().trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
