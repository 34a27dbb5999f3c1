# An example policy, written by vending init: edit it or add your own modules beside it.
#
# Rego v1 with conftest's conventions: in package main, a request is refused when a `deny` or
# `violation` rule yields a message, and a `warn` rule's message is printed. A message is a string,
# or an object with "msg" and "field", the JSON pointer of the request field it is about, where
# vending shows it (file:line:column). `input` is the request in the newest schema with its defaults;
# data.vending.config is vending.yaml and data.vending.fleet.subscriptions the fleet on trunk.
# Run the tests in tags_test.rego with: vending policy test
package main

# Production is charged back: each production subscription names the cost center that pays for it.
deny contains {
	"msg": "a Production subscription needs a costCenter tag: the cost center its costs are charged to",
	"field": "/tags/costCenter",
} if {
	input.workload == "Production"
	not input.tags.costCenter
}

# A production subscription without a budget is allowed, but nobody hears about runaway costs.
warn contains {
	"msg": "this Production subscription has no budget: add one so that its owners hear of overspending",
	"field": "/budgets",
} if {
	input.workload == "Production"
	input.state == "present"
	not has_budget
}

has_budget if count(input.budgets) > 0
