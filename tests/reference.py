"""The reference figures from the source documents, shared by the tests that check the demo against them."""

# SPEC 3.9 / report 000: label, staff trained to 31/08/2008, spaces to end 2008, spaces planned 2009.
TRAINED_BY_AREA_2008_08_31 = [
    ["Rutland", 132, 25, 0],
    ["Leicestershire", 899, 300, 125],
    ["Leicester", 617, 375, 200],
    ["Leicester and Leicestershire", 39, None, None],
    ["Leicestershire and Rutland", 46, None, None],
    ["Leicester, Leicestershire and Rutland", 28, None, None],
    ["Other – Nottingham", 3, None, None],
    ["Total Number Trained", 1764, None, None],
]
