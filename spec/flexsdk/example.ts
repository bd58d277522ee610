// A merchant page's script written from FlexShopper's snippet (seed 004), type-checked
// against flexsdk.d.ts by .ci/run (`tsc --strict`). The @ts-expect-error lines must fail
// to type-check: they prove the declarations reject what the JSON Schema rejects.
import type { FlexSDKCreateOrderOptions, FlexSDKSignData } from "./flexsdk";

FlexSDK.Button({
  createOrder: function (data, actions) {
    return actions.transaction.create({
      cost: 120.34,
      transactionId: "ABC-129384",
      items: [
        {
          description: "Macbook Pro 13",
          sku: "ABC123",
          cost: 120.34,
          brand: "Apple",
          condition: "new",
          quantity: 1,
          images: ["https://shop.example/macbook.png"],
          shipping: { cost: 10.33, date: new Date(), method: "UPS" },
        },
      ],
    });
  },
  onSign: function (data) {
    return fetch("/validate-order", { method: "POST", body: JSON.stringify(data) });
  },
}).render("#flexshopper-button");

const signed: FlexSDKSignData = { leaseNumber: "1234567", transactionId: "ABC-129384" };

const badCondition: FlexSDKCreateOrderOptions = {
  cost: 1,
  transactionId: "T",
  items: [
    // @ts-expect-error condition is new, used or refurbished
    { description: "d", sku: "s", cost: 1, brand: "b", condition: "broken", quantity: 1,
      shipping: { cost: 0, date: "2026-12-02", method: "UPS" } },
  ],
};

const noShipping: FlexSDKCreateOrderOptions = {
  cost: 1,
  transactionId: "T",
  items: [
    // @ts-expect-error shipping is required on every line
    { description: "d", sku: "s", cost: 1, brand: "b", condition: "new", quantity: 1 },
  ],
};

// @ts-expect-error onSign is required
FlexSDK.Button({ createOrder: () => undefined });

export { signed, badCondition, noShipping };
