"""Italian surnames and first names for the synthetic residents, most frequent first.

Hand-written lists with a Veneto flavour (surnames in -on, -in, -ato, -etto are typical of the Padova
area) plus the national classics. Order matters: weights are Zipf-like by rank (``names.zipf_weights``),
so the first entries are very common and homonyms occur, as they do in a real register.
"""

from __future__ import annotations

# fmt: off
SURNAMES_VENETO: tuple[str, ...] = (
    "Rossi", "Zanella", "Trevisan", "Schiavon", "Bianchi", "Bortolami", "Pavan", "Zanon", "Ferraro",
    "Carraro", "Bertin", "Baldan", "Marcato", "Zampieri", "Boscolo", "Pegoraro", "Favaro", "Sartori",
    "Cecchinato", "Zanetti", "Menegazzo", "Tognon", "Toffanin", "Salmaso", "Varotto", "Rampazzo", "Gallo",
    "Barbieri", "Milan", "Volpato", "Scarso", "Zago", "Bettio", "Griggio", "Zorzi", "Cazzaro", "Michelotto",
    "Ruzza", "Bizzotto", "Marangon", "Gasparini", "Lazzaro", "Sanavia", "Bonato", "Martini", "Bolzonella",
    "Zecchin", "Zaggia", "Pinton", "Visentin", "Zanin", "Tonello", "Dalla Costa", "De Marchi", "Dal Santo",
    "Fontana", "Rizzo", "Tosato", "Guarise", "Bottaro", "Nalesso", "Benetazzo", "Zaramella", "Cappellato",
    "Rigoni", "Bellotto", "Boscaro", "Crivellaro", "Battistella", "Bragato", "Callegaro", "Cavinato",
    "Destro", "Faggian", "Fasolato", "Finotti", "Frison", "Gastaldello", "Giacomini", "Girardi", "Lorenzon",
    "Maschio", "Masiero", "Mason", "Meneghetti", "Miotto", "Moro", "Nardo", "Nicoletti", "Pasqualetto",
    "Pastore", "Pertile", "Piva", "Polato", "Quaggio", "Rettore", "Rinaldi", "Rizzato", "Rossetto", "Rubin",
    "Sandon", "Scapin", "Segato", "Semenzato", "Sinigaglia", "Squarcina", "Stevanato", "Tasinato", "Tiozzo",
    "Tono", "Tomasin", "Tregnaghi", "Vettore", "Vianello", "Zambon", "Zanchin", "Zanovello", "Zilio", "Zuin",
    "Agostini", "Andreetta", "Baldin", "Barison", "Beghin", "Belloni", "Benetton", "Bergamin", "Bernardi",
    "Bertolin", "Bettin", "Bisello", "Bordin", "Borella", "Bortolato", "Bovo", "Brugnaro", "Busato", "Calore",
    "Campagnaro", "Canella", "Carlesso", "Caron", "Casarin", "Cattelan", "Ceccato", "Cervellin", "Chinello",
    "Cognolato", "Comin", "Corrò", "Da Re", "Dal Bello", "Dalla Libera", "Danieli", "De Bei", "De Lazzari",
    "Donà", "Fabris", "Facco", "Fantin", "Ferrarese", "Franceschi", "Furlan", "Gallina", "Garbin", "Gasparin",
    "Gobbo", "Gottardo", "Grigolin", "Guarnieri", "Lago", "Lando", "Longo", "Lovato", "Magagnin", "Maggiolo",
    "Malaman", "Manfrin", "Marchioro", "Mazzucato", "Meneghini", "Minozzi", "Morandin", "Munari", "Nale",
    "Negrin", "Novello", "Pajaro", "Paccagnella", "Padovan", "Pellizzari", "Penello", "Peruzzo", "Piovan",
    "Pittarello", "Prosdocimi", "Righetto", "Rocco", "Romanato", "Sacchetto", "Santinello", "Sartore",
    "Scattolin", "Simonato", "Soranzo", "Spinello", "Stocco", "Tessari", "Tognato", "Trentin", "Turetta",
    "Valentini", "Vedovato", "Veronese", "Zambello", "Zanardo", "Zanforlin", "Zoccarato",
)

# Surnames common elsewhere in Italy: residents born in other regions, and long-settled families.
SURNAMES_NATIONAL: tuple[str, ...] = (
    "Russo", "Ferrari", "Esposito", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Conti",
    "De Luca", "Mancini", "Costa", "Giordano", "Lombardi", "Moretti", "Barbieri", "Lombardo", "Caruso",
    "Santoro", "Galli", "Leone", "Longobardi", "Martinelli", "Serra", "Vitale", "Coppola", "De Santis",
    "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferri", "Fabbri", "Bianco", "Marini", "Grasso",
    "Valentino", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna", "Farina",
    "Rinaldi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "Grassi", "Pellegrino",
    "Carbone", "Giuliani", "Benedetti", "Barone", "Rossetti", "Caputo", "Montanari", "Guerra", "Palmieri",
    "Bernardi", "Martino", "Fiore", "De Rosa", "Ferretti", "Bellini", "Basile", "Riva", "Donati", "Piras",
    "Vitali", "Battaglia", "Sartori", "Neri", "Costantini", "Milani", "Pagano", "Ruggiero", "Sorrentino",
    "D'Amico", "Orlando", "Negri", "Gentile", "Cirillo", "Napolitano", "Ferrara", "Mariani", "Lucchese",
    "Iannone", "Scalzo", "Catalano", "Di Stefano", "Marras", "Pace",
)

MALE_OLD: tuple[str, ...] = (
    "Giuseppe", "Giovanni", "Antonio", "Mario", "Luigi", "Francesco", "Angelo", "Bruno", "Carlo", "Franco",
    "Sergio", "Giorgio", "Renzo", "Gino", "Aldo", "Guido", "Luciano", "Pietro", "Silvano", "Lino", "Umberto",
    "Vittorio", "Renato", "Dino", "Gianni", "Ferruccio", "Armando", "Enzo", "Alberto", "Giancarlo", "Romano",
    "Ugo", "Livio", "Ezio", "Elio", "Attilio", "Cesare", "Gastone", "Italo", "Tullio", "Severino", "Adriano",
    "Claudio", "Paolo", "Roberto", "Luigino", "Giacomo", "Agostino", "Raffaele", "Domenico", "Gianfranco",
    "Valerio", "Orazio", "Remo", "Primo", "Natale", "Ottavio", "Bortolo", "Danilo", "Rino",
)
MALE_MID: tuple[str, ...] = (
    "Andrea", "Marco", "Stefano", "Luca", "Paolo", "Massimo", "Roberto", "Alessandro", "Davide", "Fabio",
    "Michele", "Matteo", "Simone", "Daniele", "Mauro", "Alberto", "Nicola", "Federico", "Enrico", "Riccardo",
    "Giorgio", "Maurizio", "Claudio", "Fabrizio", "Alessio", "Emanuele", "Cristian", "Diego", "Gianluca",
    "Filippo", "Ivan", "Mirko", "Denis", "Omar", "Nicolò", "Giacomo", "Francesco", "Lorenzo", "Antonio",
    "Giovanni", "Valter", "Moreno", "Ivano", "Loris", "Cristiano", "Luigi", "Giuseppe", "Tiziano", "Walter",
)
MALE_NEW: tuple[str, ...] = (
    "Francesco", "Alessandro", "Leonardo", "Lorenzo", "Mattia", "Andrea", "Gabriele", "Riccardo", "Tommaso",
    "Edoardo", "Matteo", "Giacomo", "Pietro", "Nicolò", "Federico", "Samuele", "Filippo", "Diego", "Davide",
    "Christian", "Elia", "Michele", "Giovanni", "Marco", "Luca", "Enea", "Jacopo", "Alessio", "Thomas",
    "Emanuele", "Simone", "Nicola", "Manuel", "Giulio", "Daniele", "Gioele", "Tobia", "Achille", "Ettore",
    "Alberto", "Leone", "Stefano", "Mirko", "Cristian", "Denis", "Kevin", "Luigi", "Antonio", "Angelo",
)
FEMALE_OLD: tuple[str, ...] = (
    "Maria", "Anna", "Giuseppina", "Rosa", "Angela", "Giovanna", "Teresa", "Lucia", "Carmela", "Caterina",
    "Francesca", "Antonietta", "Elena", "Luigia", "Bruna", "Gina", "Rita", "Franca", "Elisa", "Adriana",
    "Lina", "Luciana", "Graziella", "Gabriella", "Silvana", "Marisa", "Giuliana", "Loredana", "Nives", "Ida",
    "Irma", "Emma", "Pierina", "Natalina", "Wilma", "Gemma", "Iolanda", "Ada", "Elsa", "Margherita", "Clara",
    "Liliana", "Mirella", "Carla", "Paola", "Luisa", "Rina", "Dina", "Bianca", "Amelia", "Norma", "Olga",
    "Vittoria", "Lidia", "Eleonora", "Assunta", "Imelda", "Agnese", "Edda", "Licia",
)
FEMALE_MID: tuple[str, ...] = (
    "Francesca", "Laura", "Elena", "Sara", "Chiara", "Silvia", "Valentina", "Paola", "Federica", "Barbara",
    "Monica", "Cristina", "Alessandra", "Elisa", "Roberta", "Daniela", "Michela", "Martina", "Giulia",
    "Simona", "Manuela", "Anna", "Stefania", "Raffaella", "Katia", "Erika", "Sabrina", "Nicoletta", "Marta",
    "Ilaria", "Serena", "Claudia", "Lisa", "Giorgia", "Veronica", "Marina", "Eleonora", "Irene", "Valeria",
    "Emanuela", "Antonella", "Patrizia", "Lorena", "Tiziana", "Maria", "Rossella", "Debora", "Nadia",
)
FEMALE_NEW: tuple[str, ...] = (
    "Sofia", "Giulia", "Aurora", "Alice", "Ginevra", "Emma", "Giorgia", "Greta", "Beatrice", "Anna",
    "Martina", "Chiara", "Matilde", "Vittoria", "Gaia", "Sara", "Francesca", "Noemi", "Camilla", "Arianna",
    "Elena", "Ludovica", "Nicole", "Rebecca", "Bianca", "Elisa", "Asia", "Marta", "Irene", "Margherita",
    "Viola", "Caterina", "Mia", "Giada", "Benedetta", "Carlotta", "Elisabetta", "Angelica", "Eleonora",
    "Miriam", "Laura", "Valentina", "Federica", "Silvia", "Ilaria", "Veronica", "Serena", "Jessica",
)

# Italian comuni outside the Veneto where many Padova residents were born (migration from the South,
# university); looked up by name in the shipped comuni list, so the Belfiore codes come from data.
OTHER_BIRTH_CITIES: tuple[str, ...] = (
    "NAPOLI", "PALERMO", "BARI", "ROMA", "MILANO", "TORINO", "BOLOGNA", "CATANIA", "REGGIO DI CALABRIA",
    "COSENZA", "FOGGIA", "SALERNO", "LECCE", "TARANTO", "MESSINA", "TRIESTE", "FERRARA", "TRENTO", "CASERTA",
    "AVELLINO", "POTENZA", "CAGLIARI", "PESCARA", "UDINE", "BRESCIA", "BERGAMO", "AGRIGENTO",
)
VENETO_CAPITALS: tuple[str, ...] = ("VENEZIA", "VICENZA", "TREVISO", "VERONA", "ROVIGO", "BELLUNO")
# fmt: on
