/** Reads a required environment variable; a missing one is a deployment bug, so fail loudly. */
export function getEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '')
    throw new Error(`Environment variable ${name} is not set`);
  return value;
}

export function getOptionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}
