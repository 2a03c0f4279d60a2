package io.warehouseapi.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * What the server's flight recording says: heap used at each garbage collection (so its peak: the heap only grows
 * between collections), live threads, GC pauses, CPU, and where the CPU samples fall; over the whole run or a
 * window of it.
 */
final class JfrSummary {

    private record Sample(Instant at, long value) {
    }

    private final List<Sample> heapUsed = new ArrayList<>();
    private final List<Sample> heapAfterGc = new ArrayList<>();
    private final List<Sample> threadsPeak = new ArrayList<>();
    private final List<Sample> threadsActive = new ArrayList<>();
    private final List<Sample> gcPauseNanos = new ArrayList<>();
    private final List<Sample> cpuPermille = new ArrayList<>();
    private final List<RecordedStackTrace> samples = new ArrayList<>();
    private final List<Instant> sampleTimes = new ArrayList<>();

    static JfrSummary read(Path recording) throws IOException {
        JfrSummary summary = new JfrSummary();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            Instant at = event.getStartTime();
            switch (event.getEventType().getName()) {
                case "jdk.GCHeapSummary" -> {
                    summary.heapUsed.add(new Sample(at, event.getLong("heapUsed")));
                    if ("After GC".equals(event.getString("when"))) {
                        summary.heapAfterGc.add(new Sample(at, event.getLong("heapUsed")));
                    }
                }
                case "jdk.JavaThreadStatistics" -> {
                    summary.threadsPeak.add(new Sample(at, event.getLong("peakCount")));
                    summary.threadsActive.add(new Sample(at, event.getLong("activeCount")));
                }
                case "jdk.GarbageCollection" ->
                        summary.gcPauseNanos.add(new Sample(at, event.getDuration("sumOfPauses").toNanos()));
                case "jdk.CPULoad" -> summary.cpuPermille.add(new Sample(at,
                        Math.round((event.getFloat("jvmUser") + event.getFloat("jvmSystem")) * 1000)));
                case "jdk.ExecutionSample" -> {
                    if (event.getStackTrace() != null) {
                        summary.samples.add(event.getStackTrace());
                        summary.sampleTimes.add(at);
                    }
                }
                default -> {
                }
            }
        }
        return summary;
    }

    private static long max(List<Sample> samples, Instant from, Instant to) {
        return samples.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).max().orElse(-1);
    }

    private static boolean within(Instant at, Instant from, Instant to) {
        return !at.isBefore(from) && !at.isAfter(to);
    }

    /** The highest heap use seen at a collection in the window, in bytes; -1 if no collection fell in it. */
    long peakHeapBytes(Instant from, Instant to) {
        return max(heapUsed, from, to);
    }

    /** The mean heap use right after the collections in the window, in bytes; -1 if none fell in it. */
    double meanHeapAfterGcBytes(Instant from, Instant to) {
        return heapAfterGc.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).average()
                .orElse(-1);
    }

    long peakHeapBytes() {
        return peakHeapBytes(Instant.MIN, Instant.MAX);
    }

    /** The JVM's own peak of live threads, as last reported. */
    long peakThreads() {
        return threadsPeak.stream().mapToLong(Sample::value).max().orElse(-1);
    }

    /** The most live threads sampled (once a second) in the window. */
    long maxActiveThreads(Instant from, Instant to) {
        return max(threadsActive, from, to);
    }

    int gcCount(Instant from, Instant to) {
        return (int) gcPauseNanos.stream().filter(s -> within(s.at, from, to)).count();
    }

    double gcPauseMillis(Instant from, Instant to) {
        return gcPauseNanos.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).sum() / 1e6;
    }

    /** The server's mean CPU use in the window, as a share of the whole machine (1.0 = every core busy). */
    double meanCpu(Instant from, Instant to) {
        return cpuPermille.stream().filter(s -> within(s.at, from, to)).mapToLong(Sample::value).average()
                       .orElse(-1) / 1000;
    }

    /**
     * The methods whose names start with {@code prefix}, by the share of the window's CPU samples that have them on
     * the stack (a caller is charged with its callees' time), the top {@code limit}.
     */
    Map<String, Double> hotMethods(Instant from, Instant to, int limit, String prefix) {
        return shares(from, to, limit, frames -> frames.stream().map(JfrSummary::name)
                .filter(name -> name.startsWith(prefix)).distinct().toList());
    }

    /** The methods the window's CPU samples were in (self time), the top {@code limit}. */
    Map<String, Double> selfMethods(Instant from, Instant to, int limit) {
        return shares(from, to, limit, frames -> frames.isEmpty() ? List.of() : List.of(name(frames.get(0))));
    }

    private Map<String, Double> shares(Instant from, Instant to, int limit,
                                       java.util.function.Function<List<RecordedFrame>, List<String>> pick) {
        Map<String, Integer> counts = new HashMap<>();
        int total = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (within(sampleTimes.get(i), from, to)) {
                total++;
                pick.apply(samples.get(i).getFrames()).forEach(name -> counts.merge(name, 1, Integer::sum));
            }
        }
        int samplesInWindow = Math.max(1, total);
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> (double) e.getValue() / samplesInWindow,
                        (a, b) -> a, LinkedHashMap::new));
    }

    private static String name(RecordedFrame frame) {
        return frame.getMethod() == null ? "?" : frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    /** The number of CPU samples in the window. */
    int cpuSamples(Instant from, Instant to) {
        return (int) sampleTimes.stream().filter(at -> within(at, from, to)).count();
    }
}
