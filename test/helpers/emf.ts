import { vi } from 'vitest';

/** One EMF line as CloudWatch reads it: the metric names, their dimension sets and the values. */
export interface EmfLine {
  namespace: string;
  dimensions: string[][];
  metrics: string[];
  values: Record<string, unknown>;
}

/**
 * Collects the EMF lines written to stdout while it is installed (Powertools writes them there,
 * one JSON document per line). Other stdout output passes through.
 */
export function captureEmf(): { lines: EmfLine[]; stop(): void } {
  const lines: EmfLine[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    for (const text of String(chunk).split('\n')) {
      if (!text.includes('"_aws"')) continue;
      const document = JSON.parse(text) as Record<string, unknown> & {
        _aws: {
          CloudWatchMetrics: Array<{
            Namespace: string;
            Dimensions: string[][];
            Metrics: Array<{ Name: string }>;
          }>;
        };
      };
      for (const directive of document._aws.CloudWatchMetrics) {
        lines.push({
          namespace: directive.Namespace,
          dimensions: directive.Dimensions,
          metrics: directive.Metrics.map((metric) => metric.Name),
          values: document,
        });
      }
      return true;
    }
    return write(chunk, ...(rest as []));
  });
  return { lines, stop: () => spy.mockRestore() };
}

/** The lines that publish `name`, with the dimension values they carry. */
export function published(lines: EmfLine[], name: string) {
  return lines
    .filter((line) => line.metrics.includes(name))
    .map((line) => ({
      dimensions: line.dimensions,
      value: line.values[name],
      ...Object.fromEntries(line.dimensions.flat().map((key) => [key, line.values[key]])),
    }));
}
