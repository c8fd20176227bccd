package api

// DecodeJSONBody exposes the strict decoder of the case-record routes to the
// fuzz test in package api_test.
var DecodeJSONBody = decodeJSONBody
