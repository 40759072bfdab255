// Loaded with --import by the benchmarks: reports the process's peak RSS on stderr at exit.
process.on('exit', () => {
  process.stderr.write(`baton-max-rss-kb=${process.resourceUsage().maxRSS}\n`);
});
