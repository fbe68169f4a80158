package dev.portico.gateway.config.internal;

/**
 * The keys of one {@code openapi:} import, kept as plain values so that describing and checking
 * them loads no class of gateway-openapi; {@link OpenApiModel} applies them. Not public API.
 */
final class OpenApiKeys {
  /** The class that tells whether gateway-openapi is on the class path. */
  static final String ENTRY_POINT = "dev.portico.gateway.openapi.OpenApiRoutes";

  String document = "";
  String upstream;
  String upstreamGroup;
  String pathPrefix;
  String idPrefix;
  Boolean validateRequests;

  static final Spec<OpenApiKeys> SPEC = Spec.<OpenApiKeys>of("openapi",
          "Routes from an OpenAPI 3.0 or 3.1 document, one per operation, with request validation"
              + " (needs dev.portico:gateway-openapi on the class path).")
      .required("document", Type.STRING, "The document's file, relative to this file.", (d, v) -> d.document = v.text())
      .key("upstream", Type.STRING, "Where operations without x-portico-upstream go: an http(s) URI.",
          (d, v) -> d.upstream = v.text())
      .key("upstreamGroup", Type.STRING, "An upstream group under upstreamGroups, instead of upstream.",
          (d, v) -> d.upstreamGroup = v.text())
      .key("pathPrefix", Type.STRING, "the path of servers[0].url", "What comes before every path template (\"\" for nothing).",
          (d, v) -> d.pathPrefix = v.text())
      .key("idPrefix", Type.STRING, "none", "What comes before every route id.", (d, v) -> d.idPrefix = v.text())
      .key("validateRequests", Type.BOOLEAN, "true", "Whether routes check parameters and bodies against the document.",
          (d, v) -> d.validateRequests = v.bool());
}
