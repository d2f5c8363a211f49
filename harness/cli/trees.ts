// `dioscope trees [--fetch [<series>...]]`: the Debian kernel trees the tool
// knows and where each is (installed, in the cache, absent). --fetch
// downloads the missing ones that come from a suite other than the
// machine's (default: the trees built by default) into the cache and
// extracts them; the machine's package sources and dpkg state never change.
import { DEBIAN_TREES, fetchDebianTree, locateDebianTree } from "../tree/debian.ts";
import { TREE_NAMES } from "../tree/source.ts";

const USAGE = "usage: dioscope trees [--fetch [<series>...]]";

function where(series: string): string {
  const at = locateDebianTree(series);
  if (!at) return "absent";
  return `${at.pkg}=${at.version} ${at.extracted ? `at ${at.root}` : "(installed; extracted on first use)"}`;
}

export async function runTrees(argv: string[]): Promise<number> {
  if (argv.length && argv[0] !== "--fetch") {
    console.error(USAGE);
    return 2;
  }
  if (argv[0] === "--fetch") {
    const wanted = argv.length > 1 ? argv.slice(1) : [...TREE_NAMES];
    for (const series of wanted) {
      const known = DEBIAN_TREES.find((t) => t.series === series);
      if (!known) {
        console.error(`dioscope trees: ${series} is not a Debian series the tool knows (${DEBIAN_TREES.map((t) => t.series).join(", ")})`);
        return 2;
      }
      if (!known.suite || locateDebianTree(series)) continue;
      const version = fetchDebianTree(series, (l) => console.log(`[${series}] ${l}`));
      console.log(`[${series}] ${version ? `fetched ${version}` : "already in the cache"}`);
    }
  }
  for (const t of DEBIAN_TREES) console.log(`${t.series.padEnd(6)} ${(t.suite ?? "installed").padEnd(17)} ${where(t.series)}`);
  return 0;
}
