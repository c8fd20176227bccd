package referral

// HSDSUUID exposes the derivation of HSDS ids to the tests.
var HSDSUUID = hsdsUUID
