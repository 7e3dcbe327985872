"""Countries of citizenship of Padova's foreign residents, with their names and Belfiore codes.

Shares are approximate percentages of the city's foreign residents around 2020-2023 (largest
communities first); Z-codes are the Belfiore codes of the states, as used in the codice fiscale.
``kids`` scales the number of children at home, ``female`` is the share of women among adults who
arrive without a partner (care workers from Eastern Europe, men from South Asia and West Africa).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    """One country of origin: ISO code, Belfiore code, share among foreigners and name lists."""

    iso2: str
    belfiore: str
    share: float
    kids: float
    female: float
    surnames: tuple[str, ...]
    male: tuple[str, ...]
    female_names: tuple[str, ...]


# fmt: off
COUNTRIES: tuple[Country, ...] = (
    Country("RO", "Z129", 24.0, 0.9, 0.60,
            ("Popescu", "Ionescu", "Popa", "Pop", "Radu", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei",
             "Ciobanu", "Rusu", "Munteanu", "Constantin", "Moldovan", "Marin", "Tudor", "Dobre", "Barbu",
             "Nistor", "Florea", "Lungu", "Sandu", "Mihai"),
            ("Ion", "Andrei", "Alexandru", "Mihai", "Gheorghe", "Vasile", "Constantin", "Florin", "Marius",
             "Cristian", "Adrian", "Ionut", "Stefan", "Gabriel", "Daniel", "Nicolae", "Bogdan", "Razvan"),
            ("Maria", "Elena", "Ioana", "Andreea", "Mihaela", "Ana", "Alexandra", "Cristina", "Gabriela",
             "Daniela", "Florentina", "Georgiana", "Alina", "Roxana", "Simona", "Larisa", "Nicoleta",
             "Ramona")),
    Country("MD", "Z140", 11.0, 0.8, 0.70,
            ("Rusu", "Ceban", "Ciobanu", "Cebotari", "Lungu", "Munteanu", "Rotari", "Gutu", "Turcan", "Popa",
             "Sirbu", "Cojocaru", "Bivol", "Morari", "Botnari", "Bodrug", "Croitoru", "Cazacu"),
            ("Ion", "Vasile", "Sergiu", "Igor", "Victor", "Andrei", "Alexandru", "Dumitru", "Nicolae",
             "Vladimir", "Oleg", "Mihail", "Dorin", "Veaceslav"),
            ("Maria", "Natalia", "Elena", "Tatiana", "Svetlana", "Ana", "Olga", "Irina", "Cristina",
             "Galina", "Ludmila", "Valentina", "Victoria", "Nadejda")),
    Country("CN", "Z210", 8.5, 1.0, 0.50,
            ("Hu", "Chen", "Wang", "Zhou", "Lin", "Zhang", "Huang", "Ye", "Xu", "Li", "Wu", "Jin", "Pan",
             "Zheng", "Liu", "Ji", "Yang", "Zhu"),
            ("Wei", "Jun", "Jian", "Bin", "Hao", "Lei", "Ming", "Qiang", "Tao", "Yong", "Jie", "Xiang",
             "Feng", "Hui"),
            ("Li", "Mei", "Ying", "Jing", "Xiaoli", "Yan", "Hong", "Lan", "Fang", "Na", "Hua", "Yu", "Lina",
             "Xiu")),
    Country("NG", "Z335", 7.0, 1.5, 0.55,
            ("Okafor", "Okoro", "Eze", "Adeyemi", "Ogunleye", "Obi", "Nwosu", "Okonkwo", "Ibrahim", "Musa",
             "Osagie", "Idahosa", "Omoregie", "Igbinosa", "Aigbe", "Ehigiator", "Osaro", "Edosomwan"),
            ("Emmanuel", "Samuel", "Daniel", "Godwin", "Friday", "Sunday", "John", "Peter", "Osas", "Prince",
             "Victor", "Michael", "Joseph", "Stephen"),
            ("Blessing", "Joy", "Faith", "Mercy", "Gift", "Esther", "Grace", "Precious", "Success", "Favour",
             "Happiness", "Patience", "Glory", "Vivian")),
    Country("MA", "Z330", 6.0, 1.5, 0.40,
            ("El Amrani", "Benali", "Bennani", "El Idrissi", "Alaoui", "Ouali", "Belhaj", "El Fassi", "Tazi",
             "Rami", "Chakir", "Boukhari", "Hajji", "Lahlou", "Zahir", "El Ghazi", "Moussaoui"),
            ("Mohamed", "Ahmed", "Youssef", "Said", "Abdelkader", "Hassan", "Mustapha", "Rachid", "Khalid",
             "Omar", "Karim", "Adam", "Amine", "Hamza"),
            ("Fatima", "Khadija", "Aicha", "Naima", "Samira", "Malika", "Amina", "Hanane", "Zineb", "Salma",
             "Meryem", "Sara", "Latifa", "Nadia")),
    Country("AL", "Z100", 5.5, 1.1, 0.45,
            ("Hoxha", "Shehu", "Leka", "Gjoka", "Dervishi", "Kola", "Muca", "Cela", "Marku", "Basha", "Hysa",
             "Lika", "Prifti", "Gjini", "Bregu", "Doda", "Mema", "Rama"),
            ("Arben", "Gentian", "Ardit", "Erion", "Fatmir", "Ilir", "Besnik", "Klodian", "Altin", "Elton",
             "Dritan", "Alban", "Endri", "Kledi"),
            ("Elona", "Anila", "Blerina", "Ermira", "Valbona", "Arjana", "Mirela", "Elisa", "Klea", "Era",
             "Anxhela", "Lindita", "Manjola", "Jonida")),
    Country("BD", "Z249", 4.5, 1.6, 0.25,
            ("Hossain", "Rahman", "Islam", "Ahmed", "Uddin", "Miah", "Khan", "Chowdhury", "Sarker", "Alam",
             "Haque", "Karim", "Akter", "Begum", "Sultana"),
            ("Mohammad", "Abdul", "Rafiq", "Jahid", "Shahid", "Kamal", "Sohel", "Rubel", "Masud", "Nazrul",
             "Faruk", "Habib", "Rasel", "Sumon"),
            ("Fatema", "Nasrin", "Shirin", "Rokeya", "Sharmin", "Nazma", "Ruma", "Shapla", "Taslima",
             "Salma", "Ayesha", "Jannat", "Mim", "Rina")),
    Country("PH", "Z216", 4.5, 1.0, 0.65,
            ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Ramos", "Gonzales", "Aquino",
             "Dela Cruz", "Villanueva", "Castillo", "Flores", "Torres", "Fernandez", "Mercado"),
            ("Jose", "Juan", "Mark", "John Paul", "Rodel", "Jomar", "Ricardo", "Romeo", "Arnel", "Jericho",
             "Ramon", "Reynaldo"),
            ("Maria", "Rosalie", "Marites", "Jocelyn", "Analyn", "Maricel", "Jennifer", "Lorna", "Rowena",
             "Rhea", "Cristina", "Grace")),
    Country("UA", "Z138", 4.5, 0.7, 0.80,
            ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Kravchenko", "Melnyk", "Boyko",
             "Kovalchuk", "Oliynyk", "Koval", "Marchenko", "Lysenko", "Savchenko", "Rudenko", "Moroz",
             "Petrenko"),
            ("Oleksandr", "Andriy", "Serhiy", "Volodymyr", "Dmytro", "Mykola", "Ivan", "Yuriy", "Vasyl",
             "Petro", "Taras", "Bohdan"),
            ("Olena", "Natalia", "Oksana", "Iryna", "Tetiana", "Svitlana", "Halyna", "Liudmyla", "Nadiia",
             "Mariia", "Yulia", "Valentyna")),
    Country("PK", "Z236", 3.0, 1.6, 0.20,
            ("Khan", "Ahmed", "Ali", "Hussain", "Iqbal", "Shah", "Malik", "Butt", "Raza", "Akhtar", "Bashir",
             "Aslam", "Javed", "Rasheed"),
            ("Muhammad", "Ali", "Imran", "Asif", "Tariq", "Bilal", "Usman", "Zahid", "Kashif", "Waqas",
             "Naveed", "Faisal"),
            ("Ayesha", "Fatima", "Sana", "Maryam", "Bushra", "Amna", "Nazia", "Shazia", "Rabia", "Saima",
             "Hina", "Iqra")),
    Country("TN", "Z352", 2.5, 1.3, 0.35,
            ("Ben Ali", "Trabelsi", "Jebali", "Gharbi", "Hammami", "Mejri", "Bouazizi", "Chaabane", "Jlassi",
             "Dridi", "Ayari", "Sassi"),
            ("Mohamed", "Ahmed", "Ali", "Sami", "Nabil", "Walid", "Mehdi", "Anis", "Hichem", "Karim"),
            ("Amel", "Sonia", "Imen", "Rim", "Hela", "Ines", "Nour", "Salma", "Yosra", "Asma")),
    Country("CM", "Z306", 2.5, 1.2, 0.50,
            ("Mbarga", "Ndongo", "Fotso", "Kamga", "Tchoupo", "Nguema", "Etoundi", "Essomba", "Manga",
             "Atangana", "Talla", "Fouda"),
            ("Jean", "Paul", "Serge", "Herve", "Alain", "Patrick", "Arnaud", "Boris", "Cedric", "Franck"),
            ("Marie", "Christelle", "Sandrine", "Brigitte", "Nadege", "Carine", "Estelle", "Laure",
             "Vanessa", "Flore")),
    Country("SN", "Z343", 1.8, 1.5, 0.25,
            ("Diop", "Ndiaye", "Fall", "Sow", "Diallo", "Gueye", "Faye", "Sarr", "Ba", "Mbaye", "Seck",
             "Cisse"),
            ("Mamadou", "Moussa", "Ibrahima", "Cheikh", "Abdoulaye", "Modou", "Ousmane", "Babacar", "Pape",
             "Alioune"),
            ("Fatou", "Aminata", "Awa", "Mariama", "Khady", "Astou", "Ndeye", "Coumba", "Aissatou",
             "Rokhaya")),
    Country("LK", "Z209", 1.7, 1.1, 0.45,
            ("Perera", "Fernando", "Silva", "De Silva", "Jayawardena", "Kumara", "Bandara", "Dissanayake",
             "Wickramasinghe", "Gunawardena"),
            ("Nimal", "Sunil", "Kamal", "Chaminda", "Ruwan", "Pradeep", "Nuwan", "Asanka", "Dinesh",
             "Roshan"),
            ("Nirmala", "Kumari", "Dilani", "Chamari", "Sanduni", "Nadeesha", "Ishara", "Thilini", "Anoma",
             "Sewwandi")),
    Country("IN", "Z222", 1.5, 1.2, 0.35,
            ("Singh", "Kaur", "Kumar", "Sharma", "Patel", "Gill", "Sandhu", "Sidhu", "Dhillon", "Verma"),
            ("Gurpreet", "Harpreet", "Manpreet", "Rajesh", "Sunil", "Amit", "Rahul", "Jaswinder",
             "Sukhwinder", "Baljit"),
            ("Simran", "Harjit", "Manjit", "Priya", "Pooja", "Neha", "Kiran", "Jasleen", "Navjot", "Sunita")),
    Country("PE", "Z611", 1.3, 1.0, 0.60,
            ("Quispe", "Flores", "Rodriguez", "Mamani", "Garcia", "Huaman", "Chavez", "Rojas", "Vasquez",
             "Ramirez"),
            ("Luis", "Carlos", "Jorge", "Juan", "Jose", "Cesar", "Victor", "Miguel", "Julio", "Edwin"),
            ("Rosa", "Maria", "Carmen", "Juana", "Luz", "Milagros", "Gladys", "Elizabeth", "Silvia",
             "Patricia")),
    Country("BR", "Z602", 1.2, 0.9, 0.60,
            ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa", "Rodrigues",
             "Almeida"),
            ("Joao", "Pedro", "Lucas", "Gabriel", "Rafael", "Felipe", "Thiago", "Bruno", "Diego", "Marcelo"),
            ("Ana", "Juliana", "Fernanda", "Camila", "Mariana", "Patricia", "Aline", "Bruna", "Leticia",
             "Vanessa")),
    Country("EG", "Z336", 1.2, 1.5, 0.30,
            ("Mohamed", "Ahmed", "Hassan", "Ibrahim", "Mahmoud", "Mostafa", "Abdelrahman", "Saleh",
             "Youssef", "Fathy"),
            ("Mohamed", "Ahmed", "Mahmoud", "Mostafa", "Amr", "Tarek", "Hany", "Sherif", "Karim", "Walid"),
            ("Fatma", "Mona", "Heba", "Nour", "Aya", "Dina", "Rania", "Yasmin", "Shaimaa", "Mariam")),
)

# Italian citizens born abroad: emigrants' children come back, naturalised residents keep their birthplace.
ITALIANS_BORN_ABROAD: tuple[tuple[str, float], ...] = (
    ("Z133", 3.0), ("Z112", 2.5), ("Z110", 1.5), ("Z600", 1.5), ("Z602", 1.0), ("Z614", 0.8),
    ("Z103", 0.7), ("Z129", 1.5), ("Z100", 1.5), ("Z330", 1.0), ("Z140", 0.6), ("Z114", 0.5),
)
# fmt: on
