"""Countries and what English calls them and their people (language data, no logic).

Each line is one country (or union): its names, adjectives, demonyms and abbreviations,
separated by "|", as written in English news. A demonym's plural in -s ("Britons") is
matched by its singular. Names that mean several things in the news are left out
("Georgia" is a US state too; "Korea" one of two countries; "Pole" a place on a map).
England, Scotland and Wales are not the United Kingdom: a question about England's rule is
not answered by a UK-wide one.
"""

from __future__ import annotations

_TABLE = """
United States|United States of America|US|USA|America|American
United Kingdom|UK|Great Britain|Britain|British|Briton|Brit
England|English|Englishman|Englishmen
Scotland|Scottish|Scot|Scots
Wales|Welsh
Ireland|Irish|Republic of Ireland
Northern Ireland|Northern Irish
European Union|EU
Russia|Russian|Russian Federation
China|Chinese|People's Republic of China|PRC
Japan|Japanese
Germany|German
France|French|Frenchman|Frenchmen
Italy|Italian
Spain|Spanish|Spaniard
Portugal|Portuguese
Netherlands|Dutch|Holland
Belgium|Belgian
Switzerland|Swiss
Austria|Austrian
Sweden|Swedish|Swede
Norway|Norwegian
Denmark|Danish|Dane
Finland|Finnish|Finn
Iceland|Icelandic|Icelander
Poland|Polish
Czech Republic|Czechia|Czech
Slovakia|Slovak|Slovakian
Hungary|Hungarian
Romania|Romanian
Bulgaria|Bulgarian
Greece|Greek
Turkey|Turkish|Turk|Türkiye
Ukraine|Ukrainian
Belarus|Belarusian
Serbia|Serbian|Serb
Croatia|Croatian|Croat
Bosnia|Bosnian|Bosnia and Herzegovina
Slovenia|Slovenian|Slovene
Albania|Albanian
Lithuania|Lithuanian
Latvia|Latvian
Estonia|Estonian
Cyprus|Cypriot
Malta|Maltese
Armenia|Armenian
Azerbaijan|Azerbaijani|Azeri
Kazakhstan|Kazakh
Uzbekistan|Uzbek
Mongolia|Mongolian
Israel|Israeli
Palestine|Palestinian
Iran|Iranian
Iraq|Iraqi
Syria|Syrian
Lebanon|Lebanese
Saudi Arabia|Saudi
Yemen|Yemeni
Qatar|Qatari
Kuwait|Kuwaiti
United Arab Emirates|UAE|Emirati
Egypt|Egyptian
Libya|Libyan
Tunisia|Tunisian
Algeria|Algerian
Morocco|Moroccan
Sudan|Sudanese
Somalia|Somali
Ethiopia|Ethiopian
Kenya|Kenyan
Uganda|Ugandan
Rwanda|Rwandan
Tanzania|Tanzanian
Nigeria|Nigerian
Ghana|Ghanaian
Senegal|Senegalese
Mali|Malian
Cameroon|Cameroonian
Ivory Coast|Côte d'Ivoire|Ivorian
Congo|Congolese
Zambia|Zambian
Zimbabwe|Zimbabwean
South Africa|South African
Afghanistan|Afghan
Pakistan|Pakistani
India|Indian
Bangladesh|Bangladeshi
Sri Lanka|Sri Lankan
Nepal|Nepalese|Nepali
Myanmar|Burma|Burmese
Thailand|Thai
Vietnam|Viet Nam|Vietnamese
Cambodia|Cambodian
Malaysia|Malaysian
Singapore|Singaporean
Indonesia|Indonesian
Philippines|Philippine|Filipino
North Korea|North Korean|DPRK
South Korea|South Korean
Taiwan|Taiwanese
Australia|Australian|Aussie
New Zealand|NZ|New Zealander
Canada|Canadian
Mexico|Mexican
Cuba|Cuban
Haiti|Haitian
Jamaica|Jamaican
Brazil|Brazilian
Argentina|Argentine|Argentinian
Chile|Chilean
Colombia|Colombian
Peru|Peruvian
Venezuela|Venezuelan
Bolivia|Bolivian
Ecuador|Ecuadorian
Uruguay|Uruguayan
Paraguay|Paraguayan
"""

# Each country's forms; the first form names it.
COUNTRIES: tuple[tuple[str, ...], ...] = tuple(
    tuple(form.strip() for form in line.split("|")) for line in _TABLE.strip().splitlines()
)
