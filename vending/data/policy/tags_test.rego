# Tests of tags.rego: vending policy test runs every test_ rule and expects it to be true.
#
# The tests replace the input field by field (`with input.tags as ...`): the Rego engine, regopy 1.5.2,
# crashes when a rule calls a built-in function on an input replaced whole (`with input as {...}`),
# and vending then reports the crash as the test's failure.
package main

test_production_with_a_cost_center_is_accepted if {
	count(deny) == 0 with input.workload as "Production" with input.state as "present"
		with input.tags as {"costCenter": "1234"} with input.budgets as {"default": {"amount": 5000}}
	count(warn) == 0 with input.workload as "Production" with input.state as "present"
		with input.tags as {"costCenter": "1234"} with input.budgets as {"default": {"amount": 5000}}
}

test_production_without_a_cost_center_is_refused_at_the_tag if {
	refusals := deny with input.workload as "Production" with input.tags as {"owner": "payments"}
	{refusal.field | some refusal in refusals} == {"/tags/costCenter"}
}

test_devtest_needs_no_cost_center if {
	count(deny) == 0 with input.workload as "DevTest" with input.tags as {}
}

test_production_without_a_budget_is_warned if {
	count(warn) == 1 with input.workload as "Production" with input.state as "present" with input.budgets as {}
}
