import unittest

from pkg.legs import run_by_unittest


class UnittestLeg(unittest.TestCase):
    def test_unittest_leg(self):
        self.assertEqual(run_by_unittest(), "unittest")
