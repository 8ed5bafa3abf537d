// The graphql-http server audit (GraphQL over HTTP conformance) against a live /graphql endpoint.
// Usage: node tests/api/graphql/audit.mjs http://127.0.0.1:8000/graphql
// Prints one line per audit that is not ok, then the passes per level, e.g. "MUST 13/13";
// exits 1 when any MUST or SHOULD audit fails.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint URL>');
  process.exit(2);
}
const results = await auditServer({ url });
const counts = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
for (const result of results) {
  const level = result.name.split(' ')[0];
  counts[level][1] += 1;
  if (result.status === 'ok') {
    counts[level][0] += 1;
  } else {
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${result.reason}`);
  }
}
for (const [level, [passed, total]] of Object.entries(counts)) {
  console.log(`${level} ${passed}/${total}`);
}
const failed = ['MUST', 'SHOULD'].some((level) => counts[level][0] !== counts[level][1]);
process.exit(failed ? 1 : 0);
