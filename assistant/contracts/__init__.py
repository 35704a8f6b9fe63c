"""Purchase-sale contracts (购销合同): a confirmed sales order at a site with a company becomes a PDF in Chinese,
signed with the company's certificate as PAdES with a visible seal (pyHanko), stored once per order.
See docs/contracts.md."""
