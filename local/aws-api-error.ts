/** An error the SDK client sees with its AWS name (awsJson `__type`). */
export class AwsApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}
