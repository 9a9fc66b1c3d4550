"""Name parts common on the Kenyan coast, combined at random into fictional people.

Every combination is invented; the demo never holds a real person.
"""

GIVEN_NAMES_FEMALE = (
    "Mwanajuma", "Kadzo", "Zawadi", "Amina", "Rehema", "Halima", "Mwanaisha", "Neema",
    "Furaha", "Saumu", "Riziki", "Dama", "Sidi", "Mapenzi", "Pendo", "Tabu", "Kache",
    "Mwanamisi", "Fatuma", "Esther",
)
GIVEN_NAMES_MALE = (
    "Baraka", "Kahindi", "Katana", "Charo", "Juma", "Hamisi", "Omar", "Bakari", "Kazungu",
    "Karisa", "Masha", "Mwinyi", "Salim", "Kenga", "Safari", "Tsuma", "Ngumbao", "Mramba",
    "Athumani", "Joseph",
)
FAMILY_NAMES = (
    "Mwangome", "Kombe", "Chengo", "Baya", "Kitsao", "Ngala", "Mwachiro", "Dzombo",
    "Mohamed", "Said", "Mwakazi", "Nyae", "Ruwa", "Kalama", "Mwaro", "Jefwa", "Shida",
    "Mwadime", "Kashutu", "Mwanzia", "Charo", "Mangi", "Dena", "Hinzano",
)
