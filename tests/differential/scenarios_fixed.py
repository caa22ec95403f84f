def fixed_scenarios():
    return []
