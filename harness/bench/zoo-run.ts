// `npm run bench:zoo [-- WORD...]`: the zoo part of `npm run bench` alone
// (harness/bench/zoo.ts), as JSON in bench-results/zoo.json and on stdout;
// with words, only the runs whose mail path contains one of them.
import { parseArgs } from "node:util";
import { writeBenchResult } from "./results.ts";
import { ZOO_RUNS, zooBench } from "./zoo.ts";

const { positionals } = parseArgs({ args: process.argv.slice(2), options: {}, allowPositionals: true, strict: true });
const runs = positionals.length ? ZOO_RUNS.filter((r) => positionals.some((w) => r.mail.includes(w))) : ZOO_RUNS;
if (!runs.length) throw new Error(`no zoo run matches ${positionals.join(", ")}: the runs are ${ZOO_RUNS.map((r) => r.mail).join(", ")}`);
const json = JSON.stringify({ date: new Date().toISOString(), zoo: zooBench(runs) }, null, 2);
writeBenchResult("zoo", json);
console.log(json);
