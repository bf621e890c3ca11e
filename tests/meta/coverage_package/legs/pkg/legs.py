def run_by_unittest():
    return "unittest"


def run_by_pytest():
    return "pytest"
