// Checks Strimzi resources against Strimzi's own API model (io.strimzi:api from Maven Central), the
// classes its CRDs are generated from. Strimzi publishes no CRD schema to a package registry, but the
// model is the schema's source: each resource is read into its class with Jackson (a wrong type, an
// unknown enum value or an unknown `type` of a polymorphic field fails there), then walked beside
// its JSON, reporting
//   - unknown fields: every model object keeps the properties it does not know in
//     getAdditionalProperties() (Strimzi's operator warns about the same ones),
//   - fields not part of the resource's apiVersion, and fields it requires (@PresentInVersions,
//     @RequiredInVersions; CrdGeneratorAnnotations.java makes them readable), and required fields,
//   - @Minimum, @Maximum, @MinimumItems and @Pattern bounds.
// Input: a JSON array of {"source": "...", "document": {...}}. Output: a JSON array of
// {"source", "kind", "name", "errors": [...]}; exit 0 whether or not there were errors.
package dev.parley.k8s;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

public final class StrimziModelCheck {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final List<String> VERSIONS = List.of("v1alpha1", "v1beta1", "v1beta2", "v1");
  private static final Map<String, String> CLASSES =
      Map.of(
          "Kafka", "io.strimzi.api.kafka.model.kafka.Kafka",
          "KafkaNodePool", "io.strimzi.api.kafka.model.nodepool.KafkaNodePool",
          "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
          "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser",
          "KafkaConnect", "io.strimzi.api.kafka.model.connect.KafkaConnect",
          "KafkaConnector", "io.strimzi.api.kafka.model.connector.KafkaConnector",
          "KafkaBridge", "io.strimzi.api.kafka.model.bridge.KafkaBridge",
          "KafkaMirrorMaker2", "io.strimzi.api.kafka.model.mirrormaker2.KafkaMirrorMaker2",
          "KafkaRebalance", "io.strimzi.api.kafka.model.rebalance.KafkaRebalance");

  private final String version;
  private final List<String> errors = new ArrayList<>();

  private StrimziModelCheck(String version) {
    this.version = version;
  }

  public static void main(String[] args) throws Exception {
    JsonNode input = MAPPER.readTree(new File(args[0]));
    ArrayNode results = MAPPER.createArrayNode();
    for (JsonNode item : input) {
      JsonNode doc = item.get("document");
      ObjectNode result = results.addObject();
      result.put("source", item.path("source").asText());
      result.put("kind", doc.path("kind").asText());
      result.put("name", doc.path("metadata").path("name").asText());
      ArrayNode out = result.putArray("errors");
      for (String error : check(doc)) out.add(error);
    }
    System.out.println(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(results));
  }

  static List<String> check(JsonNode doc) throws Exception {
    String apiVersion = doc.path("apiVersion").asText();
    String kind = doc.path("kind").asText();
    String className = CLASSES.get(kind);
    if (className == null) return List.of("kind " + kind + " is not a Strimzi resource this check knows");
    if (!apiVersion.startsWith("kafka.strimzi.io/"))
      return List.of("apiVersion " + apiVersion + " is not kafka.strimzi.io/<version>");
    String version = apiVersion.substring("kafka.strimzi.io/".length());
    if (!VERSIONS.contains(version)) return List.of("unknown Strimzi API version " + version);
    StrimziModelCheck check = new StrimziModelCheck(version);
    Object resource;
    try {
      resource = MAPPER.treeToValue(doc, Class.forName(className));
    } catch (Exception e) {
      return List.of("not a valid " + kind + ": " + e.getMessage().replaceAll("\\s+", " "));
    }
    check.walk(doc, resource, "");
    return check.errors;
  }

  private static boolean isModel(Class<?> type) {
    String name = type.getName();
    return name.startsWith("io.strimzi.api.") || name.startsWith("io.fabric8.kubernetes.api.model.");
  }

  private void walk(JsonNode node, Object bean, String path) throws Exception {
    if (node == null || node.isNull() || bean == null) return;
    if (bean instanceof Map<?, ?> map) {
      if (node.isObject())
        for (var it = node.fieldNames(); it.hasNext(); ) {
          String key = it.next();
          walk(node.get(key), map.get(key), path + "." + key);
        }
      return;
    }
    if (bean instanceof List<?> list) {
      if (node.isArray())
        for (int i = 0; i < node.size() && i < list.size(); i++) walk(node.get(i), list.get(i), path + "[" + i + "]");
      return;
    }
    if (!isModel(bean.getClass()) || !node.isObject()) return;
    try {
      Method additional = bean.getClass().getMethod("getAdditionalProperties");
      Object unknown = additional.invoke(bean);
      if (unknown instanceof Map<?, ?> fields)
        for (Object key : fields.keySet()) errors.add(path + "." + key + ": unknown field");
    } catch (NoSuchMethodException e) {
      // a model class without a bag for unknown properties: Jackson itself rejected any
    }
    BeanDescription description =
        MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(bean.getClass()));
    for (BeanPropertyDefinition property : description.findProperties()) {
      String name = property.getName();
      String at = path + "." + name;
      JsonNode value = node.get(name);
      boolean present = value != null && !value.isNull();
      for (Annotation annotation : annotationsOf(property)) checkAnnotation(annotation, at, present, value);
      if (property.isRequired() && !present) errors.add(at + ": required");
      if (!present || property.getGetter() == null) continue;
      Object child = property.getGetter().getValue(bean);
      // Strimzi's enums read an unknown value as null rather than fail.
      if (child == null) errors.add(at + ": " + value + " is not a valid value");
      else walk(value, child, at);
    }
  }

  private static List<Annotation> annotationsOf(BeanPropertyDefinition property) {
    List<Annotation> found = new ArrayList<>();
    for (AnnotatedMember member : new AnnotatedMember[] {property.getGetter(), property.getField(), property.getSetter()})
      if (member != null) found.addAll(List.of(member.getAnnotated().getAnnotations()));
    return found;
  }

  private static Object element(Annotation annotation) throws Exception {
    Method value = annotation.annotationType().getDeclaredMethod("value");
    value.setAccessible(true);
    return value.invoke(annotation);
  }

  private void checkAnnotation(Annotation annotation, String at, boolean present, JsonNode value) throws Exception {
    if (!annotation.annotationType().getName().startsWith("io.strimzi.crdgenerator.annotations.")) return;
    switch (annotation.annotationType().getSimpleName()) {
      case "PresentInVersions" -> {
        if (present && !inRange((String) element(annotation)))
          errors.add(at + ": not part of " + version + " (present in " + element(annotation) + ")");
      }
      case "RequiredInVersions" -> {
        if (!present && inRange((String) element(annotation)))
          errors.add(at + ": required in " + version);
      }
      case "Minimum" -> {
        if (present && value.isNumber() && value.asLong() < (int) element(annotation))
          errors.add(at + ": " + value + " is below the minimum " + element(annotation));
      }
      case "Maximum" -> {
        if (present && value.isNumber() && value.asLong() > (int) element(annotation))
          errors.add(at + ": " + value + " is above the maximum " + element(annotation));
      }
      case "MinimumItems" -> {
        if (present && value.isArray() && value.size() < (int) element(annotation))
          errors.add(at + ": fewer than " + element(annotation) + " items");
      }
      case "Pattern" -> {
        if (present && value.isTextual() && !value.asText().matches((String) element(annotation)))
          errors.add(at + ": \"" + value.asText() + "\" does not match " + element(annotation));
      }
      default -> {
        // descriptions, examples, printer columns: nothing to check
      }
    }
  }

  /** Strimzi's version ranges: "v1beta2", "v1+", "v1alpha1-v1beta2", several separated by commas. */
  private boolean inRange(String ranges) {
    int at = VERSIONS.indexOf(version);
    for (String range : ranges.split(",")) {
      String r = range.trim();
      if (r.equals("all")) return true;
      if (r.endsWith("+") && at >= VERSIONS.indexOf(r.substring(0, r.length() - 1))) return true;
      int dash = r.indexOf('-');
      if (dash > 0) {
        int from = VERSIONS.indexOf(r.substring(0, dash));
        int to = VERSIONS.indexOf(r.substring(dash + 1));
        if (at >= from && at <= to) return true;
      }
      if (r.equals(version)) return true;
    }
    return false;
  }
}
