package io.warehouseapi.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The machine a report was measured on. */
final class Machine {

    private Machine() {
    }

    static ObjectNode describe() {
        ObjectNode node = Peer.JSON.createObjectNode();
        node.put("cores", Runtime.getRuntime().availableProcessors());
        node.put("memory_gib", Math.round(totalMemoryBytes() / (1024.0 * 1024 * 1024) * 10) / 10.0);
        node.put("cpu", cpuModel());
        node.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                       + System.getProperty("os.arch"));
        node.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        return node;
    }

    static String line(ObjectNode machine) {
        return String.format(Locale.ROOT, "%d cores (%s), %.1f GiB, %s, %s", machine.get("cores").asInt(),
                machine.get("cpu").asText(), machine.get("memory_gib").asDouble(), machine.get("jvm").asText(),
                machine.get("os").asText());
    }

    private static long totalMemoryBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
