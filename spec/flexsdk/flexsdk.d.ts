// TypeScript declarations for FlexSDK, the browser side of FlexShopper's Payment Plugin
// (https://pp3.flexshopper.com/sdk/js?authKey=AUTH_KEY), as documented in FlexShopper's
// developer docs (seed 004) and used by FlexShopper's Magento 2 plugin; also what
// flexshopper-sandbox serves at /sdk/js. The same shapes: create-order.schema.json,
// on-sign.schema.json, and the Rust types in `flexshopper::flexsdk`.
//
// Members marked "sandbox extension" are flexshopper-sandbox's, not FlexShopper's.

export interface FlexSDKShipping {
  /** Shipping cost of this line, in US dollars. */
  cost: number;
  /** Expected ship date: a Date (sent as its ISO 8601 JSON form) or a date string. */
  date: Date | string;
  /** Carrier or method, e.g. "UPS". */
  method: string;
}

export interface FlexSDKItem {
  description: string;
  sku: string;
  /** Unit cost in US dollars. */
  cost: number;
  brand: string;
  condition: "new" | "used" | "refurbished";
  /** Whole units, 1 to 100000 (numeric strings such as "1.0000" are accepted). */
  quantity: number | string;
  /** Optional image URLs. */
  images?: string[];
  shipping: FlexSDKShipping;
}

/** The options of `actions.transaction.create(options)`. */
export interface FlexSDKCreateOrderOptions {
  /** The order's cost in US dollars. */
  cost: number;
  /** The merchant's order id; the lease's transaction gets this id. */
  transactionId: string;
  /** At least one line. */
  items: FlexSDKItem[];
}

/** What `onSign(data)` receives; POST it to your own /validate-order. */
export interface FlexSDKSignData {
  leaseNumber: string;
  transactionId: string;
}

/** Why `actions.transaction.create` was refused. */
export interface FlexSDKError extends Error {
  name: "FlexSDKError";
  /** The offending field, e.g. "items[0].shipping.method" (when one is to blame). */
  field?: string;
}

export interface FlexSDKActions {
  transaction: {
    /** Validates the order, creates the checkout and opens the payment modal. */
    create(options: FlexSDKCreateOrderOptions): Promise<{ transactionId: string }>;
  };
}

export interface FlexSDKButtonOptions {
  /** Called when the shopper clicks the button; return `actions.transaction.create(...)`. */
  createOrder(data: Record<string, never>, actions: FlexSDKActions): Promise<unknown> | unknown;
  /** Called after the shopper signed the lease and the modal closed. */
  onSign(data: FlexSDKSignData): Promise<unknown> | unknown;
  /** Sandbox extension: the waterfall's auth code (POST /v3/users/{id}/auth-code); the modal opens signed in as that customer. */
  authCode?: string | null;
  /** Sandbox extension: called when createOrder throws or its promise rejects. */
  onError?(error: FlexSDKError | unknown): void;
}

export interface FlexSDKButton {
  /** Renders a <button> inside the element (a CSS selector or the element itself). */
  render(target: string | Element): HTMLButtonElement;
}

export interface FlexSDKStatic {
  Button(options: FlexSDKButtonOptions): FlexSDKButton;
  /** "sandbox" when served by flexshopper-sandbox. */
  readonly version?: string;
}

declare global {
  interface Window {
    FlexSDK: FlexSDKStatic;
  }
  const FlexSDK: FlexSDKStatic;
}
