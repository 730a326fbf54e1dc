"""People extraction on realistic wire copy (our own text)."""

from indexer import extract_people, find_mentions

COPY = """BEIRUT (AP) — Syria's fragile cease-fire appeared to hold Tuesday as Syrian President
Bashar Assad vowed to retake the whole country, while U.S. Secretary of State John Kerry
urged restraint.

Russian Defense Ministry spokesman Maj. Gen. Igor Konashenkov said the Joint Implementation
Center would log violations. Kerry said the Islamic State group was not covered.

The state news agency SANA and CNN reported shelling near Aleppo, and the Australian
Broadcasting Corp. said Assad's forces were moving.
"""


def test_titles_are_removed_and_full_names_kept() -> None:
    people = extract_people(COPY)
    assert "Bashar Assad" in people
    assert "Igor Konashenkov" in people
    assert "John Kerry" in people


def test_bare_surname_folds_into_full_name() -> None:
    people = extract_people(COPY)
    assert "Kerry" not in people and "Assad" not in people
    mentions = find_mentions(COPY)
    kerry = [m for m in mentions if m.name == "John Kerry"]
    assert len(kerry) == 2  # "John Kerry" and the later bare "Kerry"
    assert {COPY[m.start:m.end] for m in kerry} == {"John Kerry", "Kerry"}


def test_organisations_places_and_agencies_are_not_people() -> None:
    people = extract_people(COPY)
    for not_a_person in ("Islamic State", "Joint Implementation Center", "SANA", "CNN",
                         "Aleppo", "Australian Broadcasting Corp.", "Syria"):
        assert not any(not_a_person.split()[0] in name for name in people), (not_a_person, people)
    assert people == ["Bashar Assad", "John Kerry", "Igor Konashenkov"]


def test_possessive_is_dropped() -> None:
    assert extract_people("Chancellor Angela Merkel's spokesman spoke.") == ["Angela Merkel"]


def test_particles_stay_in_the_name() -> None:
    people = extract_people("French President Charles de Gaulle and Dutch painter "
                            "Vincent van Gogh were named.")
    assert people == ["Charles de Gaulle", "Vincent van Gogh"]
    # Swahili and Arabic particles too
    assert extract_people("Prime Minister Kengo wa Dondo said on Friday .") \
        == ["Kengo wa Dondo"]
    assert extract_people("Sheikh Khalid ben Ahmed said on Friday .") == ["Khalid ben Ahmed"]


def test_speech_verb_admits_a_name_without_a_known_given_name() -> None:
    assert extract_people("Union leader Declan Murphy said members would strike.") == [
        "Declan Murphy"]


def test_mention_spans_point_at_the_name() -> None:
    text = "Gov. Patricia Langford, a Democrat, said she would sign. Langford smiled."
    spans = [(text[m.start:m.end], m.name) for m in find_mentions(text)]
    assert spans == [("Patricia Langford", "Patricia Langford"),
                     ("Langford", "Patricia Langford")]


def test_sentence_initial_words_and_months_are_not_people() -> None:
    text = "The Senate met on Monday. In March, Senate Majority Leader Franklin Ames spoke."
    assert extract_people(text) == ["Franklin Ames"]
    # "Neither", "Either" open a sentence and no name
    assert extract_people("Neither Kessler said a word .") == ["Kessler"]


def test_trained_model_tags_people(tmp_path) -> None:
    """`indexer people train` on a small CoNLL file we wrote; ingest and `people` use it."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from indexer import cli
    from indexer.enrich import people

    conll = Path(__file__).parent / "fixtures" / "people-train.conll"
    model = tmp_path / "model.json.gz"
    runner = CliRunner()
    trained = runner.invoke(cli.main, ["people", "train", str(conll), "--model", str(model)])
    assert trained.exit_code == 0, trained.output
    assert model.stat().st_size > 0
    # invented names the rules cannot know: only the model's context features find them
    text = ("The City Council hired Ximo Quellet last year . Officials in Lima named Brando "
            "Vuskit to lead the Port Board . Quellet declined to comment .")
    assert people.extract_people(text) == []
    result = runner.invoke(cli.main, ["people", "--json", "--model", str(model), "-"],
                           input=text)
    data = json.loads(result.output)
    assert people.extract_people(text) == []  # the model was the command's, not the process's
    assert [item["name"] for item in data] == ["Ximo Quellet", "Brando Vuskit"]
    assert [text[s:e] for s, e in data[0]["mentions"]] == ["Ximo Quellet", "Quellet"]
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "a.txt").write_text("QUITO (AP) — The Port Board hired Ximo Quellet last year .\n")
    ingested = runner.invoke(cli.main, ["ingest", str(wire), "--index", str(tmp_path / "ix"),
                                        "--people-model", str(model)])
    assert ingested.exit_code == 0, ingested.output
    from indexer import Index, PeopleFinder

    assert Index.open(str(tmp_path / "ix")).story("a").people == ["Ximo Quellet"]
    # the same through the API, beside an index ingested with the rules in one process
    (wire / "b.txt").write_text("LIMA (AP) — Officials named Brando Vuskit to lead it .\n")
    by_model = Index.create(str(tmp_path / "by-model"))
    by_model.ingest([str(wire)], people=PeopleFinder(str(model)))
    by_rules = Index.create(str(tmp_path / "by-rules"))
    by_rules.ingest([str(wire)])
    assert by_model.story("b").people == ["Brando Vuskit"]
    assert by_rules.story("b").people == []
    assert by_model.story("a").people == ["Ximo Quellet"]


def test_shouted_headline_surname_folds_into_the_body_name() -> None:
    text = "KERRY URGES CALM IN SYRIA\n\nWASHINGTON (AP) — Secretary of State John Kerry spoke."
    assert extract_people(text) == ["John Kerry"]
    assert [(text[m.start:m.end], m.name) for m in find_mentions(text)] == [
        ("KERRY", "John Kerry"), ("John Kerry", "John Kerry")]


def test_score_lines_and_tables_do_not_make_people() -> None:
    text = ("SOCCER - ENGLISH PREMIER LEAGUE RESULTS\n\nLONDON 1996-08-24\n\n"
            "Aston Villa 2 Manchester United 1\n\nNottingham Forest 0 Leeds United 0\n\n"
            "YORKSHIRE 342-6 v Durham\n\nStandings: Blackburn Rovers 6 3 2 1 9 5 11\n")
    assert extract_people(text) == []


def test_all_caps_headline_alone_adds_no_people() -> None:
    assert extract_people("BAYERN MUNICH BEAT WERDER BREMEN 3-1\n\nMUNICH 1996-08-24") == []


def test_world_given_names_make_people_without_other_evidence() -> None:
    # Faker's world lists: Catalan, Finnish and Russian given names the Census lists lack
    text = "Jordi Quintana and Tommi Laaksonen met Vyacheslav Orlov in Geneva."
    assert extract_people(text) == ["Jordi Quintana", "Tommi Laaksonen", "Vyacheslav Orlov"]


def test_a_nationality_before_a_name_is_cut() -> None:
    text = "Frenchman Lucien Marchetti beat Russian Svetlana Dorogina in Paris."
    assert extract_people(text) == ["Lucien Marchetti", "Svetlana Dorogina"]


def test_results_tables_name_players_by_country_minute_and_figures() -> None:
    tennis = "Second round: Tomasz Wierzbicki ( Poland ) beat Arvo Kallasmaa ( Estonia ) 6-3 6-4"
    assert extract_people(tennis) == ["Tomasz Wierzbicki", "Arvo Kallasmaa"]
    soccer = "Hamburg 2 ( Okonjo 27th , Brandtner 59th-pen ) Bochum 1 ( Quaresmo 80th )"
    assert extract_people(soccer) == ["Okonjo", "Brandtner", "Quaresmo"]
    cricket = ("Bowling : Kettleby 10-2-51-0 , Marwood 9-1-40-2\n"
               "A. Prentiss c Fennimore b Ashcombe 12")
    assert extract_people(cricket) == ["Kettleby", "Marwood", "A. Prentiss", "Fennimore",
                                       "Ashcombe"]
    # clubs stay out, in brackets or before a score
    assert extract_people("Dynamo Batumi ( Georgia ) 3 Aston Villa 2") == []


def test_neighbours_in_a_list_and_appositions_make_people() -> None:
    squad = "Squad : Devinder Rathore , Kumaran Selvaraj , Ilyas Qureshi ."
    assert "Kumaran Selvaraj" in extract_people(squad)  # known given names on either side
    assert extract_people("Talal Khoury , owner of the bakery , opened early .") == [
        "Talal Khoury"]
    assert extract_people("Ondrej Vlasak , 54 , was freed .") == ["Ondrej Vlasak"]


def test_a_shared_surname_goes_to_the_most_mentioned_person() -> None:
    text = ("Oskar Lindqvist won. Oskar Lindqvist thanked his sister Mara Lindqvist. "
            "Later Lindqvist said he would rest.")
    last = find_mentions(text)[-1]
    assert (text[last.start:last.end], last.name) == ("Lindqvist", "Oskar Lindqvist")


def test_a_word_a_title_made_a_person_stays_one() -> None:
    text = "Sen. Harwick spoke first. Harwick then left the chamber."
    assert [text[m.start:m.end] for m in find_mentions(text)] == ["Harwick", "Harwick"]


def test_a_sentence_capitalised_common_word_is_not_a_given_name() -> None:
    text = "Okafor won the final. Joining Okafor on the podium was Pieter Vos, joining late."
    assert "Joining Okafor" not in extract_people(text)


def test_more_wire_results_and_company_forms() -> None:
    # a goal minute in brackets, cricket's "not out", a month as a surname after a given name
    assert extract_people("Scorers : Lubarski ( 50th minute ) , Vadim Sorokin ( 72nd )") == [
        "Lubarski", "Vadim Sorokin"]
    assert extract_people("Imran Qadir not out 40 , Bob May ( U.S. ) 74 75 70") == [
        "Imran Qadir", "Bob May"]
    # a team with its country and score, a company form, a Reuters newsroom signature
    assert extract_people("Hapoel Ironi ( Israel ) 3 Kotaik Abovyan ( Armenia ) 0") == []
    assert extract_people("German carmaker Volkswagen AG said sales rose .") == []
    assert extract_people("-- Athens Newsroom +301 3311812") == []
    # "Second-ranked Austrian Thomas Muster", "South African Amanda Coetzer"
    assert extract_people("Second-ranked Austrian Lukas Brandauer beat South African "
                          "Ruth Mokoena .") == ["Lukas Brandauer", "Ruth Mokoena"]


def test_positions_and_family_words_before_names() -> None:
    assert extract_people("Centre Hemi Walker said the pack was tired .") == ["Hemi Walker"]
    text = "Tomas Ruzicka died in 1994 . His widow Ruth still lives in Brno ."
    assert extract_people(text) == ["Tomas Ruzicka", "Ruth"]
    # given names that are also agency or company words elsewhere
    assert extract_people("Petra Langer ( Germany ) beat Asa Lindgren ( Sweden ) 6-1 7-5") == [
        "Petra Langer", "Asa Lindgren"]


def test_places_and_institutions_named_for_people_are_not_people() -> None:
    assert extract_people("They beat the New York Mets at the Vicente Arroyo ground .") == []
    assert extract_people("He landed at the Ben Kaddour airport and met Merrick "
                          "Asset Managers .") == []
    # a plural nationality before names, scorers with plain minutes after a score
    assert extract_people("Americans Harrison Dillard and Lindy Remigino smiled .") == [
        "Harrison Dillard", "Lindy Remigino"]
    assert extract_people("Heerenveen 4 ( Korneev 15 , Hansma 24 ) Utrecht 1") == [
        "Korneev", "Hansma"]


def test_role_nouns_signatures_and_month_named_people() -> None:
    assert extract_people("He beat goalkeeper Edwin Vandersloot and boatman Kanagaratnam "
                          "smiled .") == ["Edwin Vandersloot", "Kanagaratnam"]
    assert extract_people("-- Dimitris Kontaxakis , Athens Newsroom +301 3311812") == [
        "Dimitris Kontaxakis"]
    assert extract_people("Jan Siemering ( Netherlands ) beat June Whitcombe ( Britain ) "
                          "6-4 6-4 on Jan 5 .") == ["Jan Siemering", "June Whitcombe"]


def test_team_result_lines_and_sentence_initial_verbs() -> None:
    assert extract_people("Sokol Tychy 5 Lech Poznan 3\nLegia Warsaw 7 5 1 1 13 7 16") == []
    text = "Okafor reached the final . Joining Okafor in the second round was Pieter Vos ."
    assert extract_people(text) == ["Pieter Vos"]  # not "Joining Okafor"


def test_team_sheets_and_given_names_that_are_also_demonyms() -> None:
    sheet = "Team : 15 - Aperahama Tuhoe , 14 - Rewi Ngata ; 8 - Zinzan Brookfield"
    assert extract_people(sheet) == ["Aperahama Tuhoe", "Rewi Ngata", "Zinzan Brookfield"]
    assert extract_people("Christian Ruudsen ( Norway ) beat Filippo Vegli ( Italy ) 6-1") == [
        "Christian Ruudsen", "Filippo Vegli"]
    assert extract_people("The Christian Democratic Union won .") == []


def test_an_occupation_is_cut_and_a_town_before_said_is_no_person() -> None:
    text = ('Farmer Grace Tillman, who runs 3,000 sheep near Bourke, said the loans '
            'would help. "You can\'t eat a loan," Tillman said.')
    assert extract_people(text) == ["Grace Tillman"]


def test_a_line_break_ends_a_name_however_long_the_line_before_it() -> None:
    # readers join wrapped lines, so lines left in the text are rows or sentences (CoNLL
    # writes one sentence a line): two names, not "Alexander Downer Mark Taylor"
    text = ("The report was welcomed on Friday by Foreign Minister Alexander Downer\n"
            "Mark Taylor said the team was ready .")
    assert extract_people(text) == ["Alexander Downer", "Mark Taylor"]


def test_weekdays_hyphenated_titles_particles_and_regnal_numbers() -> None:
    def spans(text: str) -> list[str]:
        return [text[m.start:m.end] for m in find_mentions(text)]

    assert spans("The envoy will see Foreign Minister Carla Mendoza Ruiz Tuesday in Quito .") \
        == ["Carla Mendoza Ruiz"]
    assert spans("Army spokesman Lieutenant-Colonel Peter Hallam said the convoy had left .") \
        == ["Peter Hallam"]
    assert spans("Ex-Dodger Marcus Avila singled twice in the sixth .") == ["Marcus Avila"]
    assert spans("Flanker Pieter van der Merwe scored twice before the break .") \
        == ["Pieter van der Merwe"]
    assert spans("The museum shows letters of King Olaf V from the war years .") == ["Olaf V"]
    assert spans("It hangs beside a portrait of his grandfather Gustav III .") == ["Gustav III"]
    # after a given name with no title too; but a side's numeral is no regnal number
    assert spans("The letters of Leopold VI and his brother were sold .") == ["Leopold VI"]
    assert spans("July 9 v Minor Counties XI at Arundel .") == []


def test_a_first_name_no_list_knows_is_the_full_name_it_began() -> None:
    text = ("Gill accused Zorvan Kessler of cheating . \" I respect Zorvan but he broke the "
            "rules , \" Gill said .")
    found = [(text[m.start:m.end], m.name) for m in find_mentions(text)]
    assert ("Zorvan", "Zorvan Kessler") in found
    # a common given name stays unresolved: "John" is not John Major or John Howard
    names = [m.name for m in find_mentions("John Major met John Howard . John said nothing .")]
    assert "John Major" in names and names.count("John Major") == 1


# Tables and lists: rows of one shape are read alike (our own rows, invented names).
GOLF_ROWS = """GOLF - LEADING SCORES .
Leading second-round scores :
137 Thomas Hallgren 68 69 , Peter Vosk 70 67 , Daniel Orrin 69 68
138 Quenby Marlow 70 68 , Michael Strand 71 67
139 Tavish 70 69 , Robert Kell 72 67"""


def test_a_column_of_people_makes_every_cell_a_person() -> None:
    people = extract_people(GOLF_ROWS)
    # no list knows "Quenby" as a given name, nor "Tavish" (a name cut off by its line):
    # their column's other cells are people, so they are too
    assert "Quenby Marlow" in people
    assert "Tavish" in people
    assert {"Thomas Hallgren", "Peter Vosk", "Daniel Orrin", "Michael Strand",
            "Robert Kell"} <= set(people)


def test_results_rows_with_a_country_in_brackets_are_read_alike() -> None:
    # a one-word name ("Tchelo") in a column of full names with countries is a person
    text = ("ATHLETICS - MEN 'S 400 METRES .\n"
            "1. Michael Dorne ( Jamaica ) 44.61\n"
            "2. Oluwaseun Brandt ( Nigeria ) 44.78\n"
            "3. Tchelo ( Brazil ) 45.02\n"
            "4. Andrew Fell ( Canada ) 45.30")
    assert extract_people(text) == ["Michael Dorne", "Oluwaseun Brandt", "Tchelo",
                                    "Andrew Fell"]


def test_a_column_of_teams_holds_no_person() -> None:
    # "Karl Bremen ( Germany )" looks like a player's row, but its column is of clubs
    # named for places and of club words
    text = ("SOCCER - CUP DRAW .\n"
            "First round draw :\n"
            "Karl Bremen ( Germany ) v Vantor Lyon ( France )\n"
            "Ostrava Rovers ( Czech Republic ) v Meridian Leeds ( England )\n"
            "Olimpia Porto ( Portugal ) v Dinamo Kazan ( Russia )")
    assert extract_people(text) == []


def test_squad_lists_their_labels_and_row_labels() -> None:
    text = ("CRICKET - SQUAD NAMED .\n"
            "Westland - Rangi Tamaki ( captain ) , Adam Burke , Simon Hale , Tevita Fonua , "
            "Brian Cole\n"
            "Extras 12\n"
            "Total 242")
    people = extract_people(text)
    assert people == ["Rangi Tamaki", "Adam Burke", "Simon Hale", "Tevita Fonua",
                      "Brian Cole"]


def test_a_team_with_its_scorers_in_brackets_is_a_team_throughout() -> None:
    # "Alexis Downs" reads like a person, but it is followed by a score and then the
    # names of its scorers: a team, here and in the points line
    text = ("CRICKET - COUNTY SCORES .\n"
            "Alexis Downs 301 ( T. Quell 85 , R. Brasko 60 ) , Dunmore 240-6 ( K. Teague 51 )\n"
            "Points : Alexis Downs 12 , Dunmore 4 .")
    people = extract_people(text)
    assert set(people) == {"T. Quell", "R. Brasko", "K. Teague"}


def test_a_nationality_or_faith_adjective_ends_no_name() -> None:
    text = ("The Roman Catholic bishop of Tarvel met S. Korean envoys ; Bishop Anton Keller "
            "said the talks went well .")
    assert extract_people(text) == ["Anton Keller"]


def test_a_list_of_known_surnames_is_a_list_of_people() -> None:
    text = ("SOCCER - IRISH SQUAD .\n"
            "Squad : Walsh , Brennan , Doyle , Kearney , Murphy , Quinlan\n"
            "Walsh will captain the side .")
    assert extract_people(text) == ["Walsh", "Brennan", "Doyle", "Kearney", "Murphy",
                                    "Quinlan"]
    # a column whose names repeat is of makes or clubs, not of people
    rows = "\n".join(f"{rank}. {name} ( Japan ) {make} 1:5{rank}.{rank}00"
                     for rank, (name, make) in enumerate([
                         ("Kenji Aoyama", "Honda"), ("Taro Fujii", "Suzuki"),
                         ("Hiro Kanda", "Honda"), ("Sho Mori", "Suzuki"),
                         ("Ken Oda", "Honda"), ("Yuki Abe", "Suzuki")], start=1))
    assert "Honda" not in extract_people(rows) and "Suzuki" not in extract_people(rows)


def test_field_labels_and_companies_are_not_people() -> None:
    # tables that are not sport: a field's label before its value, and a company known
    # by its shares or its partner anywhere in the story
    text = ("BOND SALE - TERMS .\n"
            "Expected Sale Date : 09/14/2026\n"
            "Lead Manager Harmon Kell & Co\n"
            "Harmon Kell said demand was strong .\n"
            "Shares in Abbot Marlow rose 4 pence ; Abbot Marlow said it would bid .\n"
            "Finance director Ruth Anders said the terms were fair .\n"
            "Mark Danner 's shares were not sold .")
    assert extract_people(text) == ["Ruth Anders", "Mark Danner"]


def test_roles_of_parliament_and_people_of_a_place_before_a_name() -> None:
    def spans(text: str) -> list[str]:
        return [text[m.start:m.end] for m in find_mentions(text)]

    assert spans("Conservative MP Julia Brenton said the vote was lost .") == ["Julia Brenton"]
    # a word for the people of a place, made from the place's name, is no part of the name
    assert spans("Queenslander Tom Baxter won the final .") == ["Tom Baxter"]
    assert spans("Texan Bob Hale shot a 68 .") == ["Bob Hale"]


def test_a_speech_verb_speaks_only_for_its_own_sentence() -> None:
    # the verb that ends one sentence says nothing of the capitalised word opening the next
    text = "Prices held firm , traders said . Cash buyers were absent on Friday ."
    assert extract_people(text) == []
    # within a sentence it still does: "said Hale" makes the surname a person
    assert extract_people("The rally was over , said Hale on Friday .") == ["Hale"]


def test_compass_abbreviations_acronyms_and_family_firms_are_not_people() -> None:
    assert extract_people("Talks between S. Korea and N. Korea resumed .") == []
    assert extract_people("S. Korean shares rose .") == []
    # an initial before a name is still an initial
    assert extract_people("S. Brenton scored 45 in the first innings .") == ["S. Brenton"]
    # a lone acronym in mixed-case text names an organisation, whatever verb follows
    assert extract_people("The SEC said on Monday it would review the rules .") == []
    assert extract_people("Dealers at Sorenby Brothers said the bonds fell .") == []
    assert extract_people("A film released by Halvard Bros opened on Friday .") == []


def test_a_first_name_in_apposition_to_a_family_word_is_a_person() -> None:
    text = "Mayor Dan Kessler said his daughter , Ruth , joined the campaign ."
    assert extract_people(text) == ["Dan Kessler", "Ruth"]
    # a family word without the apposition commas proves nothing about a later word
    assert extract_people("His daughter met Ruth in Paris .") == []


def test_cities_whose_names_look_like_people_are_places() -> None:
    # GeoNames' cities of 15,000 or more with names of two words or more
    assert extract_people("The rafting season at Victoria Falls opens in July .") == []
    assert extract_people("Buses to Banja Luka resumed on Sunday .") == []
    # a name no city holds is still a person
    assert extract_people("He flew to Banja with Lukas Berger .") == ["Lukas Berger"]


def test_a_first_name_after_a_plural_family_word_is_a_person() -> None:
    text = "Dan Kessler said one of his daughters , Ruth , was safe ."
    assert extract_people(text) == ["Dan Kessler", "Ruth"]


def test_a_given_name_that_is_also_a_sentence_word_inside_a_sentence() -> None:
    # "Will" opens no sentence here: it is capitalised as a name
    assert extract_people("Club captain Will Brenton scored twice .") == ["Will Brenton"]
    # at the start of a sentence it is the verb
    assert extract_people("Will Brenton play on Sunday ?") == []


def test_roles_before_a_name_that_no_list_knows() -> None:
    text = "Presidential adviser Vazgen Tarkanyan met his counterpart Oruj Pashazade ."
    assert extract_people(text) == ["Vazgen Tarkanyan", "Oruj Pashazade"]


def test_a_place_opener_that_is_a_given_name_before_a_known_surname() -> None:
    assert extract_people("Veteran striker Les Morgan signed a new contract .") == ["Les Morgan"]
    # "Les" before a word no surname list holds still opens a place
    assert extract_people("They drove to Les Escaldes on Monday .") == []


def test_a_name_in_apposition_after_a_noun_only_a_person_is() -> None:
    text = "The minister met his Armenian counterpart , Vazgen Tarkanyan , on Monday ."
    assert extract_people(text) == ["Vazgen Tarkanyan"]
    assert extract_people("The dead man , Oruj Pashazade , was 35 .") == ["Oruj Pashazade"]
    # after a noun no person is, an apposition proves nothing
    assert extract_people("They toured the region , Vazgen Tarkanyan , on Monday .") == []


def test_a_pitchers_won_lost_record_makes_a_player() -> None:
    text = "Lopez doubled off Chad Vantongeren ( 9-4 ) in the third ."
    assert extract_people(text) == ["Chad Vantongeren"]
    assert extract_people("Vantongeren ( 7-5 ) allowed two runs .") == ["Vantongeren"]


def test_a_country_that_is_no_name_word_makes_a_firm() -> None:
    text = "Dealers expect Uganda Breweries and Atlas Nepal to gain ."
    assert extract_people(text) == []
    # a country that is also a given name or a surname still starts or ends a name
    assert extract_people("Coach Eddie Jordan said the team was ready .") == ["Eddie Jordan"]


def test_a_name_after_an_organisation_noun_or_before_a_legal_form_is_a_firm() -> None:
    assert extract_people("Economists at investment bank Halvard Brenton said so .") == []
    assert extract_people("The survey by consulting firm Towers Kessler showed gains .") == []
    # a firm's legal form anywhere in the text makes its name a firm throughout
    text = ("Halvard Brenton said it cut its estimates .\n"
            "Halvard Brenton and Co Inc was lead manager .")
    assert extract_people(text) == []
    # a broker is a person
    assert extract_people("It fell , said broker Tarek Hossain .") == ["Tarek Hossain"]


def test_club_words_count_where_clubs_hold_them() -> None:
    # a given name or surname that is also a club word makes no club in a results row
    text = "Yuki Tanabe ( Japan ) beat Alexandra Moretti ( France ) 6-3 7-6"
    assert extract_people(text) == ["Yuki Tanabe", "Alexandra Moretti"]
    assert extract_people("2. Stanley Brenton ( Britain ) 45.12") == ["Stanley Brenton"]
    # where a club holds them they still make a club
    assert extract_people("Aston Villa 2 Leeds United 1") == []
    assert extract_people("Dynamo Batumi ( Georgia ) 2 Tirol ( Austria ) 1") == []


def test_a_first_name_left_last_on_a_line_of_people() -> None:
    text = ("3. Lars Ekberg ( Sweden ) , Jonas Hollmann ( Germany ) , George\n"
            "Kessler ( Britain ) 48.10")
    assert "George" in extract_people(text)
    assert "Petr" in extract_people("Udo Brenton ( 12th , 61st ) , Milan Ostry ( 55th ) , Petr\n"
                                    "Kessler ( 88th )")
    # last on a line that names no one, a first name is no person
    assert extract_people("Prices rose 5 percent on Monday , Michael\nleft early .") == []


def test_plural_nouns_of_people_name_no_one() -> None:
    text = ("Add Women 's singles , second round\n"
            "Maria Kessler ( Britain ) beat Lena Ostry ( Austria ) 6-4 6-2")
    assert extract_people(text) == ["Maria Kessler", "Lena Ostry"]



def test_a_colour_opens_a_team_unless_a_known_surname_follows() -> None:
    assert extract_people("The Red Sox won 5-3 , their fourth straight win .") == []
    # a colour that is also a given name, before a surname the lists know
    assert extract_people("Coach Red Garvey said the team was ready .") == ["Red Garvey"]


def test_a_row_of_people_cut_by_a_line_break_keeps_both_parts() -> None:
    # a cell cut in two: the part that ends one line and the part that opens the next are
    # both people when the line reads as people, each its own mention as the text has it
    text = ("71 Tomas Brenholt , Ivo Kessler ( Germany ) , Jonas Hollmann , Fredo\n"
            "Arkwright , Udo Malvern ( Austria )\n72 Lars Ekberg")
    found = [text[m.start:m.end] for m in find_mentions(text)]
    assert "Fredo" in found and "Arkwright" in found
    # a first name no list knows ("Vikram"), cut from a surname no list knows
    text = ("4. Greece ( Dimitrios Talvanis , Georgios Beltrakis , Vikram\n"
            "Sorvanidis ) 46.538")
    found = [text[m.start:m.end] for m in find_mentions(text)]
    assert "Vikram" in found and "Sorvanidis" in found
    # a row's label with a note in brackets opens the next line: no person
    text = ("Did not bat : Tomas Brenholt , Ivo Kessler , Jonas Hollmann , Fredo\n"
            "Bowling ( to date ) : Arkwright 9-1-49-0")
    assert "Bowling" not in extract_people(text)
    # the line before reads as no one: a line's last and next line's first words stay
    assert extract_people("Shares rose on Monday , Fredo\nArkwright , traders said .") == []


def test_a_name_a_story_gives_an_organisation_is_no_person_anywhere_in_it() -> None:
    # before a noun only an organisation is, once: the name is the paper's throughout
    text = ("The Gazeta Morvanska daily said on Monday the plan had failed . "
            "Gazeta Morvanska said the minister , Tomas Brenholt , would resign .")
    assert extract_people(text) == ["Tomas Brenholt"]
    assert extract_people("Britain 's Sun newspaper said so . Later Sun said he had quit .") \
        == []
    # a fixture's sides are teams: "Dravka Lenovi" is no person where the story names it
    text = ("Playing Monday : Dravka Lenovi v Sporta Benko . "
            "Dravka Lenovi said on Friday it would appeal .")
    assert extract_people(text) == []
    # but a draw's players face each other too, and stay people
    assert extract_people("Qualifier vs. Andrei Brenholt ( Russia )") == ["Andrei Brenholt"]
    # and a personal title still makes a person of a word the story also gives a paper
    assert "Kessler" in extract_people("The Kessler group said . Mr. Kessler declined .")


def test_a_veto_word_yields_where_the_row_or_sentence_is_about_people() -> None:
    # a word that names no person ("Mills", "Law", "Field") is a surname after a known
    # given name or an initial, in a row or a sentence about people
    assert extract_people("1. Ivo Kessler ( U.S. ) 44.29\n2. Derek Mills ( U.S. ) 44.78") \
        == ["Ivo Kessler", "Derek Mills"]
    assert "Stuart Law" in extract_people(
        "Australia - Ivo Kessler ( captain ) , Tomas Brenholt , Stuart Law , Udo Malvern")
    assert "S. Law" in extract_people("S. Law c Kessler b Brenholt 20")
    # without that evidence the veto holds: a park, a paper, a firm, a place's games
    assert extract_people("The Stuart Law firm said on Monday it would appeal .") == []
    assert extract_people("Crowds filled Derek Mills park and sang .") == []
    assert extract_people("the China Daily said on Saturday .") == []
    assert extract_people("said Ivo Kessler , Salomon Bros . chief strategist") \
        == ["Ivo Kessler"]


def test_a_known_surname_alone_makes_no_person_of_three_words() -> None:
    # the words before a known given name are a role; with no given name inside, the
    # run reads as a firm, a club or a place
    assert extract_people("Teenager Tomas Kessler , racing in his first season , won .") \
        == ["Tomas Kessler"]
    assert extract_people("Next week Kansai Electric Power will price its bonds .") == []
    assert extract_people("He played for Nantes and Paris St Germain before .") == []
    # a particle belongs to the surname: "Ivo de Silva" is two name words and a particle
    assert extract_people("Bowlers : Tomas Brenholt , Ivo de Silva , Udo Malvern") \
        == ["Tomas Brenholt", "Ivo de Silva", "Udo Malvern"]
    # a given name the text also writes in lower case cuts nothing ("per share")
    assert extract_people("( All Data Above Except Per Share Numbers ) per share") == []


def test_scorers_in_a_bracket_that_a_line_break_cuts() -> None:
    # the bracket of scorers opened after a score on the line before still holds scorers
    text = ("Dravka 2 ( Kessler 7 , Brenholt 33 ) Sporta 4 ( Malvern\n"
            "15 , Oskarsson 24 , Tavelli 70 , 90 ) .")
    found = extract_people(text)
    assert "Oskarsson" in found and "Tavelli" in found and "Malvern" in found
    # a bracket closed before the break holds nothing on the next line
    assert "Tavelli" not in extract_people("Dravka 2 ( Kessler 7 ) .\nTavelli 70 , 90 .")


def test_a_title_before_a_word_the_text_writes_in_lower_case_titles_no_one() -> None:
    # "PREMIER DIVISION RESULTS": "premier division" is written in lower case below
    text = "SOCCER - PREMIER DIVISION RESULTS .\nResults of the premier division :"
    assert extract_people(text) == []
    assert extract_people("Premier Kessler said the premier division would wait .") \
        == ["Kessler"]


def test_a_country_ending_a_name_no_given_name_opens_is_an_agency() -> None:
    assert extract_people("Statistics Canada said on Thursday the deficit fell .") == []
    # a given name opens a person's: "Michael Jordan said"
    assert extract_people("Michael Jordan said on Thursday he would play .") \
        == ["Michael Jordan"]


def test_a_name_in_running_text_whose_surname_is_a_person_elsewhere() -> None:
    # no list knows "Vikram Sorvanidis"; the scorecard makes "Sorvanidis" a person
    text = ("Azhar was sacked and replaced by Vikram Sorvanidis .\n"
            "T. Malvern c Kessler b Sorvanidis 16")
    assert "Vikram Sorvanidis" in extract_people(text)
    # in a table's row the same shape may be a car or a team
    text = ("1. Tomas Kessler ( Italy ) , Reynard Kessler , 53.980\n"
            "2. Ivo Malvern ( Brazil ) , Lola Ford , 54.101")
    assert "Reynard Kessler" not in extract_people(text)


def test_an_apposition_headed_by_a_noun_only_a_person_is() -> None:
    assert extract_people("He will be replaced by Eliaz Vorkanen , a former envoy to Oslo .") \
        == ["Eliaz Vorkanen"]
    assert extract_people("Yasuro Tekanami , the agency 's undersecretary-general , told") \
        == ["Yasuro Tekanami"]
    # an apposition headed by no such noun describes a firm or a thing
    assert extract_people("They sold Vorkanen Tekanami , the software maker , on Monday .") \
        == []


def test_a_hyphenated_personal_title_titles_the_name_after_it() -> None:
    assert extract_people("the resignation of Secretary-General Gramek Ruvani .") \
        == ["Gramek Ruvani"]
    assert extract_people("Vice-president Khalem Torvani was sentenced .") \
        == ["Khalem Torvani"]


def test_a_known_surname_after_a_common_word_is_no_name() -> None:
    # "Heart" and "Wells" are surnames some lists know; after a common English word no
    # list knows as a given name they end a phrase
    assert extract_people("They met at the Final Heart shelter on Monday .") == []
    assert extract_people("Crowds filled Public Wells on Monday .") == []
    # a word no list knows, before a known surname, still opens a name
    assert extract_people("Ranjit Kessler said on Monday .") == ["Ranjit Kessler"]


def test_a_speech_verb_alone_makes_no_person_of_a_common_word_and_a_name() -> None:
    assert extract_people("the opposition Social Brenholts said in a statement .") == []
    assert extract_people("Home Kessler said it would close the plant .") == []
    # a word no list knows still opens a name before a speech verb
    assert extract_people("Abu Rudeinek said Arafat had left .") == ["Abu Rudeinek"]


def test_wickets_for_runs_make_a_bowler_and_runs_for_wickets_a_side() -> None:
    text = "England 326 ( T. Kessler 106 , G. Malvern 54 ;\nWaqim Yunisar 4-95 )"
    assert "Waqim Yunisar" in extract_people(text)
    assert extract_people("Dravka Sorvanidis 79-2 at the close .") == []


def test_the_sides_of_a_result_are_teams_throughout_the_story() -> None:
    text = ("SOCCER - GLORIA BRENHOLT BEAT VORKANEN .\n"
            "Gloria Brenholt ( Romania ) 2 Vorkanen ( Malta ) 1\n"
            "Gloria Brenholt won 3-0 on aggregate .")
    assert extract_people(text) == []
    # a player's row: a time after the country, and no other side
    assert extract_people("1. Gloria Brenholt ( Romania ) 2:03.11") == ["Gloria Brenholt"]


def test_a_surname_first_in_capitals_in_a_results_row() -> None:
    text = "1. VORKANEN Tomas ( Sweden ) 2:03.11\n2. BRENHOLT Ivo ( Norway ) 2:04.12"
    assert extract_people(text) == ["Vorkanen Tomas", "Brenholt Ivo"]
    # a club's initials before a town are no surname: no country follows
    assert extract_people("NAC Breda 1 Sparta Rotterdam 2") == []


def test_lists_a_story_labels_alike_are_one_column() -> None:
    # the first "Did not bat" list names people by initials; the second, names no list
    # knows, on two lines: one label, one column, every cell a person
    text = ("Did not bat : A. Kessler , N. Malvern , V. Tavelli , A. Brenholt .\n"
            "Bowling : Kessler 9-2-35-0\n"
            "Did not bat : Arjuna Ranatunga , Asanka Gurusinha , Hashan\n"
            "Tillekeratne , Roshan Mahanama , Kumara Dharmasena")
    found = extract_people(text)
    assert "A. Kessler" in found
    assert {"Arjuna Ranatunga", "Asanka Gurusinha", "Hashan", "Tillekeratne",
            "Roshan Mahanama", "Kumara Dharmasena"} <= set(found)
    # a label alone proves nothing: clubs under it stay clubs
    text = ("Postponed : A. Kessler , N. Malvern , V. Tavelli , A. Brenholt .\n"
            "Postponed : Dravka Rovers , Kessler Athletic , Malvern Wanderers , Tavelli Albion")
    assert extract_people(text) == ["A. Kessler", "N. Malvern", "V. Tavelli", "A. Brenholt"]


def test_a_name_quoted_whole_is_a_title_or_a_slogan() -> None:
    assert extract_people('his biggest success since " Forrest Kessler " in 1994 .') == []
    assert extract_people('The crowd shouted " Allahu Akbar " as he spoke .') == []
    # a name beside quotes, not inside them, is still a person's
    assert extract_people('" I will win , " said Tomas Kessler .') == ["Tomas Kessler"]


def test_a_club_before_its_people_is_a_club_throughout() -> None:
    text = ("The 36-year-old Aston Kessler player won his last cap in 1994 . "
            "Aston Kessler said he would stay .")
    assert extract_people(text) == []
    # a person's own people take the possessive
    assert extract_people("Tomas Kessler 's manager said he would stay .") \
        == ["Tomas Kessler"]


def test_a_creed_is_read_like_a_nationality() -> None:
    assert extract_people("since Islamist Ahmet Orbakan took over as premier .") \
        == ["Ahmet Orbakan"]
    assert extract_people("after the death of veteran Marxist leader Tomas Kessler .") \
        == ["Tomas Kessler"]
    # a surname that ends so is no creed
    assert extract_people("Sven Lindquist said on Monday .") == ["Sven Lindquist"]


def test_one_name_and_a_country_beaten_by_a_person() -> None:
    text = "1 - Tomas Kessler ( China ) beat Cindara ( Indonesia ) 11-3"
    assert extract_people(text) == ["Tomas Kessler", "Cindara"]
    # a club beaten by a club stays a club
    assert "Dinamo" not in extract_people("Dravka Kessler ( Serbia ) beat Dinamo ( Russia ) 92-90")


def test_peers_and_ranks_written_out_title_the_name_after_them() -> None:
    assert extract_people("the military would prefer General Chatok Choonvan .") \
        == ["Chatok Choonvan"]
    assert extract_people("\" It will work , \" Lord Goschenby , minister , said .") \
        == ["Goschenby"]
    # a rank written in lower case before a nationality titles no one
    assert extract_people("a summary of major Indonesian political stories") == []
    assert extract_people("General Motors said on Monday .") == []


def test_a_role_or_an_organisation_before_a_given_name_is_cut() -> None:
    # the people facet once listed "Administrative Executive Robin Taylor"
    assert extract_people("said Administrative Executive Robin Kessler .") \
        == ["Robin Kessler"]
    assert extract_people("as proposed , President of the Rio de Janeiro Coffee Trade "
                          "Association Carlos Brenholt said .") == ["Carlos Brenholt"]
    # a place's name holds no person: "South Carolina Gov ."
    assert extract_people("Former South Carolina Gov .") == []


def test_a_firms_first_word_is_the_firm_throughout_the_story() -> None:
    # "Ike Kerridge, A.M. Local, Baker": Baker was the oil-service company
    text = ("Hughes Tool Co rejected a merger with Baker International Corp today . "
            "The board of the California-based Dravka had approved it . "
            "On February 17 Baker said it had signed an agreement . Dravka said so too .")
    assert extract_people(text) == []


def test_an_hour_is_no_initials() -> None:
    assert extract_people("a meeting scheduled for 10 A.M. Local time . A.M. Kessler said") \
        == ["A.M. Kessler"]


def test_a_firm_by_its_stock_symbol_or_where_a_person_works() -> None:
    text = ("Among the buys are Dravka Kessler <DKS> and Sporta Malvern Inc . "
            "\" It will move up , \" said Vishnu Tavelli of Morgan Brenholt . "
            "Dravka Kessler said so . Morgan Brenholt said so too .")
    assert extract_people(text) == ["Vishnu Tavelli"]


def test_a_title_that_ends_its_sentence_titles_no_one() -> None:
    # as wire text is written, the period sits on the word: "The" and "He" were people
    text = ("said Debra Kessler, a company spokeswoman. The board met. Sen. Dole said. "
            "He met the President. He left.")
    assert extract_people(text) == ["Debra Kessler", "Dole"]


def test_a_possessive_that_speaks_and_an_amounts_currency_are_no_people() -> None:
    assert extract_people("Moody's said the action completes a review . Moody's added .") \
        == []
    assert extract_people("Deposits rose to 17.18 billion N.Z. Dlrs in January .") == []
    # a person's possessive is followed by a noun
    assert extract_people("Tomas Kessler's lawyer said .") == ["Tomas Kessler"]


def test_organisations_in_other_languages_and_regions_are_no_people() -> None:
    assert extract_people("Banque Nationale de Paris said on Monday .") == []
    assert extract_people("Societe Generale said on Monday .") == []
    assert extract_people("a branch of the Bank of Nova Scotia in Nova Scotia said .") == []


def test_a_party_member_named_by_a_place_is_no_name() -> None:
    assert extract_people("the Pennsylvania Republican said on Monday .") == []
    assert extract_people("Texas Democrat Tomas Kessler said .") == ["Tomas Kessler"]


def test_a_rank_that_opens_firms_names_titles_one_word_only_if_known() -> None:
    text = ("General Acquisition said the board could not act . General Electric said . "
            "General Constand Viljoen left . General Kessler arrived .")
    assert extract_people(text) == ["Constand Viljoen", "Kessler"]


def test_a_headlines_verb_is_no_person() -> None:
    assert extract_people("DOME SELLS STAKE AT RIGHT PRICE, SPOKESMAN SAYS\n\nIt is.") == []
