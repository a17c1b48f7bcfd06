package org.sfkit.proxy.signal.server;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The studies our server knows, from {@code --config FILE}: JSON
 * {@code {"studies":{"s1":["key0","key1"],...}}}; the key at index i authenticates party i.
 */
public final class StudyConfig {
    private StudyConfig() {
    }

    /** Reads and validates the file; the message of an {@link IOException} names the fault. */
    public static Map<String, List<String>> load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException | JsonParseException | IllegalStateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, List<String>> parse(String json) {
        JsonElement root = JsonParser.parseString(json);
        if (!root.isJsonObject() || !root.getAsJsonObject().has("studies")
                || !root.getAsJsonObject().get("studies").isJsonObject()) {
            throw new IllegalArgumentException("expected {\"studies\":{\"<id>\":[\"<key0>\",...]}}");
        }
        JsonObject studies = root.getAsJsonObject().getAsJsonObject("studies");
        Map<String, List<String>> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> study : studies.entrySet()) {
            if (!study.getValue().isJsonArray()) {
                throw new IllegalArgumentException("study " + study.getKey()
                        + ": expected an array of keys");
            }
            List<String> keys = new ArrayList<>();
            for (JsonElement key : study.getValue().getAsJsonArray()) {
                if (!key.isJsonPrimitive() || !key.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException("study " + study.getKey()
                            + ": every key must be a non-empty string");
                }
                keys.add(key.getAsString());
            }
            result.put(study.getKey(), checkedKeys(study.getKey(), keys));
        }
        return Map.copyOf(result);
    }

    /**
     * The keys of one study, checked: non-empty, distinct (a key names one party), at least two
     * (a study of one party has nobody to signal). Throws {@link IllegalArgumentException} naming
     * the fault.
     */
    public static List<String> checkedKeys(String studyID, List<String> keys) {
        if (studyID.isEmpty()) {
            throw new IllegalArgumentException("empty study ID");
        }
        if (keys.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("study " + studyID + ": every key must be a non-empty string");
        }
        if (keys.size() < 2 || keys.stream().distinct().count() != keys.size()) {
            throw new IllegalArgumentException("study " + studyID
                    + ": needs at least two distinct keys (one per party)");
        }
        return List.copyOf(keys);
    }
}
