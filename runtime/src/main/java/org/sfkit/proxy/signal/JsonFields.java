package org.sfkit.proxy.signal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.math.BigDecimal;

/** Typed field access on a parsed JSON object, failing with {@link MalformedSignalException}. */
final class JsonFields {
    private final JsonObject object;
    private final String what;

    private JsonFields(JsonObject object, String what) {
        this.object = object;
        this.what = what;
    }

    static JsonFields parse(String json, String what) {
        try {
            JsonElement element = JsonParser.parseString(json);
            if (!element.isJsonObject()) {
                throw new MalformedSignalException(what + " is not a JSON object: " + json);
            }
            return new JsonFields(element.getAsJsonObject(), what);
        } catch (JsonParseException e) {
            throw new MalformedSignalException(what + " is not valid JSON: " + json, e);
        }
    }

    static JsonFields of(JsonObject object, String what) {
        return new JsonFields(object, what);
    }

    JsonObject object() {
        return object;
    }

    boolean has(String key) {
        return object.has(key) && !object.get(key).isJsonNull();
    }

    String string(String key) {
        JsonPrimitive p = primitive(key);
        if (!p.isString()) {
            throw new MalformedSignalException(what + ": \"" + key + "\" is not a string");
        }
        return p.getAsString();
    }

    int integer(String key) {
        JsonPrimitive p = primitive(key);
        try {
            if (p.isNumber()) {
                return new BigDecimal(p.getAsString()).intValueExact();
            }
        } catch (ArithmeticException | NumberFormatException e) {
            // falls through to the error below
        }
        throw new MalformedSignalException(what + ": \"" + key + "\" is not an integer");
    }

    private JsonPrimitive primitive(String key) {
        JsonElement e = object.get(key);
        if (e == null || !e.isJsonPrimitive()) {
            throw new MalformedSignalException(what + ": missing or non-scalar \"" + key + "\"");
        }
        return e.getAsJsonPrimitive();
    }
}
