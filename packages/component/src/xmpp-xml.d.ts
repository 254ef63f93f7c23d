// Local typing for the one @xmpp/xml 0.14.0 class the socket uses: its streaming parser.
declare module "@xmpp/xml" {
  export class Parser {
    write(data: string): void;
    end(data?: string): void;
    on(event: string, fn: (...args: never[]) => void): this;
    removeAllListeners(): this;
  }
}
