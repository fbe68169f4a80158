package dev.portico.gateway.internal.routing;


import dev.portico.gateway.HttpHeaders;
import dev.portico.gateway.Route;
import dev.portico.gateway.routing.PathPattern.SegmentKind;
import dev.portico.gateway.routing.PathPattern;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The compiled, immutable form of a gateway's routes: finds the route that takes a request. Not
 * public API.
 *
 * <pre>{@code
 * RouteTable table = RouteTable.of(gateway.routes());          // once, at start
 * RouteLookup result = table.lookup("GET", normalizedPath, host, headers, rawQuery);
 * }</pre>
 *
 * <p>A route matches when its path pattern matches the path, its methods contain the method (any,
 * when it has none), one of its hosts matches (any, when it has none), and every header and query
 * condition holds. Among matching routes the most specific path pattern wins
 * ({@link PathPattern#compareSpecificity}), and among equally specific ones the route declared
 * first. When no route matches but some match everything except the method, the result is
 * {@link RouteLookup.MethodNotAllowed} with the union of their methods; otherwise
 * {@link RouteLookup.NotFound}.
 *
 * <p><b>How a lookup stays sub-linear.</b> Literal patterns ({@code /api/health}) sit in a map from
 * path to routes. Every other segment pattern sits in a trie of path segments at the node of its
 * literal prefix (the segments before its first {@code *}, {@code {var}} or {@code **}): {@code
 * /api/orders/{id}} under {@code api}, {@code orders}. Regex patterns sit at the root. A lookup
 * walks the path down the trie as far as it goes, then tries the literal routes for the path, the
 * routes of the deepest node reached, then those of each node above it up to the root, and takes
 * the first that matches fully. That first one is the right one:
 * <ul>
 *   <li>a literal pattern beats every other pattern that matches the same path: they agree on
 *       the segments before the other's first non-literal segment, where the literal has a literal
 *       (or ends, facing a {@code **} that matches nothing);
 *   <li>a pattern with a longer literal prefix beats one with a shorter prefix that matches the
 *       same path: at the first segment after the shorter prefix it has a literal, the other a
 *       {@code *}, variable or {@code **}; a regex ranks as {@code /**};
 *   <li>within one node, routes are kept in order of specificity, then declaration.
 * </ul>
 *
 * <p>A lookup takes no lock and allocates nothing when a route without path variables matches (its
 * {@link RouteLookup.Found} is built once, here), except what the route's own conditions need:
 * a regex {@code Matcher}, header value lists, and the parsed query, which is parsed only if a
 * route that is tried has query conditions. Thread-safe: immutable once built.
 */
public final class RouteTable {
  private static final RouteCandidate[] NONE = new RouteCandidate[0];


  private final List<Route> routes;
  private final Map<String, RouteCandidate[]> literals;
  private final Node root;

  private RouteTable(List<Route> routes, Map<String, RouteCandidate[]> literals, Node root) {
    this.routes = routes;
    this.literals = literals;
    this.root = root;
  }

  /**
   * Compiles {@code routes}, given in declaration order. The routes are assumed to have been
   * validated by {@code Gateway.Builder#build()}; a table takes any list, duplicates included.
   */
  public static RouteTable of(List<Route> routes) {
    List<Route> copy = List.copyOf(routes);
    Map<String, List<RouteCandidate>> literals = new LinkedHashMap<>();
    TrieBuilder root = new TrieBuilder();
    for (int order = 0; order < copy.size(); order++) {
      RouteCandidate candidate = new RouteCandidate(copy.get(order), order);
      PathPattern pattern = candidate.pattern;
      if (pattern.isLiteral()) {
        literals.computeIfAbsent(literalPath(pattern), k -> new ArrayList<>()).add(candidate);
        continue;
      }
      TrieBuilder node = root;
      for (PathPattern.Segment segment : pattern.segments()) { // empty for a regex: it stays at the root
        if (segment.kind() != SegmentKind.LITERAL) {
          break;
        }
        node = node.children.computeIfAbsent(segment.value(), k -> new TrieBuilder());
      }
      node.candidates.add(candidate);
    }
    Map<String, RouteCandidate[]> literalTable = new HashMap<>();
    literals.forEach((path, candidates) -> literalTable.put(path, RouteCandidate.sorted(candidates)));
    return new RouteTable(copy, literalTable, root.build(null));
  }

  /** Returns the routes, in declaration order. */
  public List<Route> routes() {
    return routes;
  }

  /**
   * Finds the route for a request.
   *
   * @param method the request method, in upper case
   * @param path the normalized path ({@link PathNormalizer})
   * @param host the {@code Host} or {@code :authority} value; it may carry a port
   * @param headers the request headers
   * @param rawQuery the query without {@code ?}, still percent-encoded; null when there is none
   */
  public RouteLookup lookup(String method, String path, String host, HttpHeaders headers, @Nullable String rawQuery) {
    Node deepest = deepestNode(path);
    RouteCandidate[] candidates = literals.getOrDefault(path, NONE);
    Node next = deepest;
    @Nullable Map<String, List<String>> query = null;
    boolean methodNotAllowed = false;
    while (true) {
      for (RouteCandidate c : candidates) {
        if (!c.literal && !c.pattern.matches(path)) {
          continue;
        }
        boolean methodAccepted = c.acceptsMethod(method);
        if (!methodAccepted && methodNotAllowed) {
          continue; // could only confirm the 405 we already have
        }
        if (!c.acceptsHost(host) || !c.acceptsHeaders(headers)) {
          continue;
        }
        if (c.query.length > 0) {
          if (query == null) {
            query = QueryParameters.parse(rawQuery);
          }
          if (!c.acceptsQuery(query)) {
            continue;
          }
        }
        if (methodAccepted) {
          return c.found(path);
        }
        methodNotAllowed = true;
      }
      if (next == null) {
        break;
      }
      candidates = next.candidates;
      next = next.parent;
    }
    if (!methodNotAllowed) {
      return RouteLookup.notFound();
    }
    // The first pass may have skipped the query conditions, so the query may still be unparsed.
    return new RouteLookup.MethodNotAllowed(
        allowedMethods(deepest, path, host, headers, query != null ? query : QueryParameters.parse(rawQuery)));
  }

  /** The union of the methods of the routes that match everything but the method (the 405 case). */
  private Set<String> allowedMethods(Node deepest, String path, String host, HttpHeaders headers,
      Map<String, List<String>> query) {
    Set<String> allowed = new TreeSet<>();
    RouteCandidate[] candidates = literals.getOrDefault(path, NONE);
    Node next = deepest;
    while (true) {
      for (RouteCandidate c : candidates) {
        if ((c.literal || c.pattern.matches(path)) && c.acceptsHost(host) && c.acceptsHeaders(headers)
            && (c.query.length == 0 || c.acceptsQuery(query))) {
          allowed.addAll(c.methods);
        }
      }
      if (next == null) {
        return allowed;
      }
      candidates = next.candidates;
      next = next.parent;
    }
  }

  /** Walks {@code path} down the trie, one segment at a time, as far as the trie goes. */
  private Node deepestNode(String path) {
    Node node = root;
    int n = path.length();
    int pos = 1;
    while (pos <= n && node.keys.length > 0) {
      int end = path.indexOf('/', pos);
      if (end < 0) {
        end = n;
      }
      Node child = node.child(path, pos, end);
      if (child == null) {
        break;
      }
      node = child;
      pos = end + 1;
    }
    return node;
  }

  @Override
  public String toString() {
    return "RouteTable" + routes.stream().map(Route::id).toList();
  }

  private static String literalPath(PathPattern pattern) {
    StringBuilder sb = new StringBuilder();
    for (PathPattern.Segment segment : pattern.segments()) {
      sb.append('/').append(segment.value());
    }
    return sb.toString();
  }

  /** A trie node under construction. */
  private static final class TrieBuilder {
    final Map<String, TrieBuilder> children = new LinkedHashMap<>();
    final List<RouteCandidate> candidates = new ArrayList<>();

    Node build(@Nullable Node parent) {
      Node node = new Node(parent, RouteCandidate.sorted(candidates), children.size());
      children.forEach((segment, child) -> node.put(segment, child.build(node)));
      return node;
    }
  }

  /**
   * A trie node: the routes whose literal prefix ends here, and the children by next segment in an
   * open-addressing table that is probed with a region of the path, so walking allocates nothing.
   * Filled while the table is built, never changed after.
   */
  private static final class Node {
    final @Nullable Node parent;
    final RouteCandidate[] candidates;
    final String[] keys;
    final Node[] children;

    Node(@Nullable Node parent, RouteCandidate[] candidates, int size) {
      this.parent = parent;
      this.candidates = candidates;
      int capacity = size == 0 ? 0 : Integer.highestOneBit(size * 2 + 1) << 1;
      this.keys = new String[capacity];
      this.children = new Node[capacity];
    }

    void put(String segment, Node child) {
      int mask = keys.length - 1;
      int i = spread(segment.hashCode()) & mask;
      while (keys[i] != null) {
        i = (i + 1) & mask;
      }
      keys[i] = segment;
      children[i] = child;
    }

    @Nullable Node child(String path, int start, int end) {
      int length = end - start;
      int hash = 0;
      for (int i = start; i < end; i++) {
        hash = 31 * hash + path.charAt(i); // String.hashCode of the segment
      }
      int mask = keys.length - 1;
      for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
        String key = keys[i];
        if (key == null) {
          return null;
        }
        if (key.length() == length && path.regionMatches(start, key, 0, length)) {
          return children[i];
        }
      }
    }

    private static int spread(int hash) {
      return hash ^ (hash >>> 16);
    }
  }
}
